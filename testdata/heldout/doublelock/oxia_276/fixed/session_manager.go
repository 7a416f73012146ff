// Package fixed is a held-out kernel (issue 14): Oxia's session manager,
// whose Close holds the manager's RWMutex while it closes every session's
// channels; session.closeChannels removes the session from the manager's
// map under that same lock, so shutting down a server with an active
// session blocks in Close for ever (and the whole server's Close with it).
//
// Upstream: oxia-db/oxia#276 ("Fixed deadlock in SessionManager.Close()")
// Round: 14
//
// Bug: the PR: "There is a deadlock when shutting down the server and
// there is an active session", with the goroutine stuck in
// sync.(*RWMutex).Lock from session.closeChannels, called by
// sessionManager.Close. sessionManager (an embedded RWMutex, the sessions
// map, Close), session (an embedded Mutex, heartbeatCh, closeCh,
// closeChannels, waitForHeartbeats with its timeout path) follow
// server/session.go and server/session_manager.go; that closeChannels
// took the manager's lock to unregister the session is our reading of
// the trace. The ephemeral-key deletion is reduced to a counter.
//
// Fix: Close removes each session from the map itself and closeChannels
// no longer touches the manager's lock; the timeout path unregisters the
// session before closing it (our mend, keeping the lock order manager,
// then session).
package fixed

import (
	"sync"
	"time"
)

// SessionId identifies a client session.
type SessionId int64

// Heartbeat is a client's keep-alive.
type Heartbeat struct{ SessionId SessionId }

type sessionManager struct {
	sync.RWMutex
	sessions map[SessionId]*session
	deleted  int
}

type session struct {
	sync.Mutex
	id          SessionId
	timeout     time.Duration
	sm          *sessionManager
	heartbeatCh chan *Heartbeat
	closeCh     chan error
}

func newSessionManager() *sessionManager {
	return &sessionManager{sessions: make(map[SessionId]*session)}
}

// CreateSession registers a session and starts its heartbeat watcher.
func (sm *sessionManager) CreateSession(id SessionId, timeout time.Duration) *session {
	s := &session{
		id:          id,
		timeout:     timeout,
		sm:          sm,
		heartbeatCh: make(chan *Heartbeat, 1),
		closeCh:     make(chan error, 1),
	}
	sm.Lock()
	sm.sessions[id] = s
	sm.Unlock()
	go s.waitForHeartbeats()
	return s
}

// closeChannels closes the session's channels. The caller holds s's
// lock and has removed the session from the manager's map.
func (s *session) closeChannels() {
	if s.closeCh != nil {
		close(s.closeCh)
		s.closeCh = nil
	}
	if s.heartbeatCh != nil {
		close(s.heartbeatCh)
		s.heartbeatCh = nil
	}
}

func (s *session) delete() {
	s.sm.Lock()
	s.sm.deleted++
	s.sm.Unlock()
}

// heartbeat passes a keep-alive to the watcher.
func (s *session) heartbeat(hb *Heartbeat) {
	s.Lock()
	defer s.Unlock()
	if s.heartbeatCh != nil {
		select {
		case s.heartbeatCh <- hb:
		default:
		}
	}
}

func (s *session) waitForHeartbeats() {
	s.Lock()
	heartbeatChannel := s.heartbeatCh
	s.Unlock()
	for {
		select {
		case hb, ok := <-heartbeatChannel:
			if !ok || hb == nil {
				// The channel is closed, so the session is closing.
				return
			}
		case <-time.After(s.timeout):
			s.sm.Lock()
			delete(s.sm.sessions, s.id)
			s.sm.Unlock()
			s.Lock()
			s.closeChannels()
			s.Unlock()
			s.delete()
			return
		}
	}
}

// Close closes every session.
func (sm *sessionManager) Close() error {
	sm.Lock()
	defer sm.Unlock()
	for _, s := range sm.sessions {
		delete(sm.sessions, s.id)
		s.Lock()
		s.closeChannels()
		s.Unlock()
	}
	return nil
}

// Shutdown closes the manager while a client session is active.
func Shutdown() error {
	sm := newSessionManager()
	s := sm.CreateSession(1, time.Minute)
	s.heartbeat(&Heartbeat{SessionId: 1})
	return sm.Close()
}

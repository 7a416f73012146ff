// Package fixed is the fixed version of mixed/oxia_1171: Close
// snapshots and unregisters the sessions under the manager's lock and
// closes them after releasing it.
package fixed

import (
	"context"
	"sync"
	"time"
)

type session struct {
	id      int64
	timeout time.Duration
	sm      *sessionManager

	heartbeatCh chan struct{}
	ctx         context.Context
	cancel      context.CancelFunc
	latch       sync.WaitGroup
}

func startSession(id int64, timeout time.Duration, sm *sessionManager) *session {
	s := &session{id: id, timeout: timeout, sm: sm, heartbeatCh: make(chan struct{}, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.latch.Add(1)
	go s.waitForHeartbeats()
	return s
}

func (s *session) heartbeat() {
	select {
	case s.heartbeatCh <- struct{}{}:
	default:
	}
}

// delete removes the session's ephemeral records.
func (s *session) delete() error {
	return s.sm.write(s.id)
}

// Close stops the session's goroutine and waits for it.
func (s *session) Close() {
	s.cancel()
	s.latch.Wait()
}

func (s *session) waitForHeartbeats() {
	defer s.latch.Done()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.heartbeatCh:
			if !timer.Stop() {
				<-timer.C
			}
			timer.Reset(s.timeout)
		case <-timer.C:
			// Expired.
			s.delete()
			s.sm.Lock()
			delete(s.sm.sessions, s.id)
			s.sm.Unlock()
			return
		}
	}
}

type sessionManager struct {
	sync.RWMutex
	sessions map[int64]*session
	nextID   int64
	write    func(id int64) error
}

func newSessionManager(write func(int64) error) *sessionManager {
	return &sessionManager{sessions: make(map[int64]*session), write: write}
}

// CreateSession starts a session with the given timeout.
func (sm *sessionManager) CreateSession(timeout time.Duration) int64 {
	sm.Lock()
	defer sm.Unlock()
	sm.nextID++
	sm.sessions[sm.nextID] = startSession(sm.nextID, timeout, sm)
	return sm.nextID
}

// KeepAlive records a heartbeat for a session.
func (sm *sessionManager) KeepAlive(id int64) {
	sm.RLock()
	s, ok := sm.sessions[id]
	sm.RUnlock()
	if ok {
		s.heartbeat()
	}
}

// CloseSession closes one session outside the manager's lock.
func (sm *sessionManager) CloseSession(id int64) {
	sm.Lock()
	s, ok := sm.sessions[id]
	delete(sm.sessions, id)
	sm.Unlock()
	if ok {
		s.Close()
	}
}

// Close closes every session.
func (sm *sessionManager) Close() {
	sm.Lock()
	sessions := make([]*session, 0, len(sm.sessions))
	for _, s := range sm.sessions {
		sessions = append(sessions, s)
	}
	sm.sessions = make(map[int64]*session)
	sm.Unlock()

	for _, s := range sessions {
		s.Close()
	}
}

// Run closes the manager while a session is expiring.
func Run() {
	sm := newSessionManager(func(int64) error {
		time.Sleep(time.Millisecond)
		return nil
	})
	sm.CreateSession(time.Millisecond)
	sm.KeepAlive(1)
	time.Sleep(2 * time.Millisecond)
	sm.Close()
}

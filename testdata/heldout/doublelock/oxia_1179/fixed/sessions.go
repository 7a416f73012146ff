// Package fixed is the fixed version of doublelock/oxia_1179:
// executeWithId reports a failed start to executeWithSessionId, which
// discards the session under the lock it already holds, and the started
// channel is buffered so the creator never waits to deliver a failure.
package fixed

import (
	"errors"
	"sync"
)

// ErrSessionStart is returned when a shard session cannot be created.
var ErrSessionStart = errors.New("failed to create session")

type clientSession struct {
	sync.Mutex
	shardId   int64
	sessionId int64
	started   chan error
	sessions  *sessions
}

type sessions struct {
	sync.Mutex
	sessionsByShard map[int64]*clientSession
	createSession   func(shardId int64) (int64, error)
}

func newSessions(create func(int64) (int64, error)) *sessions {
	return &sessions{sessionsByShard: make(map[int64]*clientSession), createSession: create}
}

func (s *sessions) startSession(shardId int64) *clientSession {
	cs := &clientSession{shardId: shardId, started: make(chan error, 1), sessions: s}
	go cs.createSession()
	return cs
}

func (cs *clientSession) createSession() {
	id, err := cs.sessions.createSession(cs.shardId)
	if err != nil {
		cs.started <- err
		return
	}
	cs.Lock()
	cs.sessionId = id
	cs.Unlock()
	close(cs.started)
}

// executeWithId runs callback once the session has started and reports
// whether it failed to start.
func (cs *clientSession) executeWithId(callback func(int64, error)) error {
	if err, failed := <-cs.started; failed {
		callback(-1, err)
		return err
	}
	cs.Lock()
	id := cs.sessionId
	cs.Unlock()
	callback(id, nil)
	return nil
}

// executeWithSessionId runs callback with the shard's session ID,
// creating the session first if needed.
func (s *sessions) executeWithSessionId(shardId int64, callback func(int64, error)) {
	s.Lock()
	defer s.Unlock()
	cs, found := s.sessionsByShard[shardId]
	if !found {
		cs = s.startSession(shardId)
		s.sessionsByShard[shardId] = cs
	}
	if err := cs.executeWithId(callback); err != nil {
		// The caller holds the sessions lock: discard the dead session.
		delete(s.sessionsByShard, shardId)
	}
}

// PutEphemeral writes an ephemeral record on shard 0.
func PutEphemeral(s *sessions, key string) error {
	result := make(chan error, 1)
	s.executeWithSessionId(0, func(id int64, err error) {
		result <- err
	})
	return <-result
}

// Run puts two ephemeral records while the shard is unavailable.
func Run() {
	s := newSessions(func(int64) (int64, error) { return 0, ErrSessionStart })
	PutEphemeral(s, "/a")
	PutEphemeral(s, "/b")
}

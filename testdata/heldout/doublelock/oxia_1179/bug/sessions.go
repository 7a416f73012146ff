// Package bug is a held-out kernel (issue 14): the oxia Go client locks
// its sessions mutex twice when a shard session fails to start.
// executeWithSessionId holds the client-wide sessions lock while it waits
// for the shard's session to be established; when session creation gives
// up, executeWithId's failure branch takes the same lock again to discard
// the dead session. Every later ephemeral operation, on every shard,
// then waits for the sessions lock.
//
// Upstream: oxia-db/oxia#1179 ("fix: do not re-acquire the sessions lock on a failed session start")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "executeWithSessionId holds the client-wide sessions mutex
// while waiting for the shard session to be established; on a failed
// session start, executeWithId's failure branch re-acquired that same,
// non-reentrant mutex to discard the session — a guaranteed
// self-deadlock". sessions, clientSession, executeWithSessionId,
// executeWithId, the started channel and the creator goroutine follow
// oxia/sessions.go and oxia/session.go; the CreateSession RPC and its
// retries are our reduction to a function that fails.
//
// Fix: executeWithId reports the failure to its caller, which discards
// the session while still holding the lock; the started channel gets a
// buffer of one, so the creator never blocks delivering the failure when
// no operation comes by (the PR's sibling leak).
package bug

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
	cs := &clientSession{shardId: shardId, started: make(chan error), sessions: s}
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

func (cs *clientSession) executeWithId(callback func(int64, error)) {
	if err, failed := <-cs.started; failed {
		callback(-1, err)
		cs.sessions.Lock() // heldout:site
		cs.Lock()
		delete(cs.sessions.sessionsByShard, cs.shardId)
		cs.Unlock()
		cs.sessions.Unlock()
		return
	}
	cs.Lock()
	id := cs.sessionId
	cs.Unlock()
	callback(id, nil)
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
	cs.executeWithId(callback) // heldout:site
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

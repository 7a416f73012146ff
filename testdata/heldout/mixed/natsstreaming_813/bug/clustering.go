// Package bug is a held-out kernel (issue 14): a goroutine holding a lock
// blocks on a channel send whose receiver needs that lock.
//
// Upstream: nats-io/nats-streaming-server#813 ("[FIXED] Clustering: possible deadlock on sub/conn close", resolves nats-io/nats-streaming-server#812)
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: replicating a subscription's sent/ack updates calls raft.Apply while
// holding the subStore lock, assuming Apply does not block; but Apply hands
// the log entry to raft's apply loop over a channel, and that loop is busy
// in the FSM applying a connection close, which removes the connection's
// subscriptions and so needs the subStore lock.
//
// Fix: the sent/ack updates are collected under the lock and replicated
// after it is released.
package bug

import (
	"errors"
	"sync"
)

var errRaftShutdown = errors.New("raft is already shutdown")

type logFuture struct {
	data []byte
	done chan error
}

// raftNode stands for hashicorp/raft: Apply queues the entry for the single
// apply loop, which calls the FSM.
type raftNode struct {
	applyCh    chan *logFuture
	shutdownCh chan struct{}
	fsm        FSM
}

// FSM applies committed entries.
type FSM interface {
	Apply(data []byte)
}

func (r *raftNode) Apply(data []byte) *logFuture {
	f := &logFuture{data: data, done: make(chan error, 1)}
	select {
	case r.applyCh <- f: // heldout:site
	case <-r.shutdownCh:
		f.done <- errRaftShutdown
	}
	return f
}

func (r *raftNode) runFSM() {
	for {
		select {
		case f := <-r.applyCh:
			r.fsm.Apply(f.data)
			f.done <- nil
		case <-r.shutdownCh:
			return
		}
	}
}

type subState struct {
	sync.RWMutex
	clientID string
	acks     []uint64
}

type subStore struct {
	sync.RWMutex
	psubs []*subState
}

func (ss *subStore) Remove(clientID string) {
	ss.Lock() // heldout:site
	defer ss.Unlock()
	kept := ss.psubs[:0]
	for _, sub := range ss.psubs {
		if sub.clientID != clientID {
			kept = append(kept, sub)
		}
	}
	ss.psubs = kept
}

// StanServer is the streaming server; it is raft's FSM.
type StanServer struct {
	raft *raftNode
	subs *subStore
}

// Apply applies a connection close: its subscriptions go.
func (s *StanServer) Apply(data []byte) {
	s.subs.Remove(string(data))
}

// replicateSentAndAck replicates every subscription's pending acks.
func (s *StanServer) replicateSentAndAck() {
	s.subs.RLock()
	defer s.subs.RUnlock()
	for _, sub := range s.subs.psubs {
		sub.Lock()
		if len(sub.acks) > 0 {
			s.raft.Apply([]byte(sub.clientID)) // heldout:site
			sub.acks = sub.acks[:0]
		}
		sub.Unlock()
	}
}

// Start runs raft's apply loop and the ack replicator.
func Start() *StanServer {
	s := &StanServer{subs: &subStore{}}
	s.raft = &raftNode{applyCh: make(chan *logFuture), shutdownCh: make(chan struct{}), fsm: s}
	go s.raft.runFSM()
	go s.replicateSentAndAck()
	return s
}

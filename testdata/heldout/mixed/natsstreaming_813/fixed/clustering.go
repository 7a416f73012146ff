// Package fixed is the fixed version of mixed/natsstreaming_813: the
// updates are collected under the locks and replicated after.
package fixed

import (
	"errors"
	"sync"
)

var errRaftShutdown = errors.New("raft is already shutdown")

type logFuture struct {
	data []byte
	done chan error
}

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
	case r.applyCh <- f:
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
	ss.Lock()
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

// replicateSentAndAck collects the pending acks under the locks and
// replicates them with no lock held.
func (s *StanServer) replicateSentAndAck() {
	var pending [][]byte
	s.subs.RLock()
	for _, sub := range s.subs.psubs {
		sub.Lock()
		if len(sub.acks) > 0 {
			pending = append(pending, []byte(sub.clientID))
			sub.acks = sub.acks[:0]
		}
		sub.Unlock()
	}
	s.subs.RUnlock()
	for _, p := range pending {
		s.raft.Apply(p)
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

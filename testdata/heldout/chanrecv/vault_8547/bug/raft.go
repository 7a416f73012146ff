// Package bug is a held-out kernel (issue 14): a leadership monitor that
// stops receiving after its first notification, leaving both the raft
// notifier's sends and the lock holder's wait for leaderLost without a
// partner.
//
// Upstream: hashicorp/vault#8547 ("storage/raft: Fix leadership deadlock")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: monitorLeadership's goroutine receives one value from
// leaderNotifyCh and returns; if the node was already leader that value is
// true, so leaderLost is never closed (the active node waits on it forever)
// and raft's next leadership change blocks on its send to the notify
// channel, since nobody listens any more.
//
// Fix: the goroutine loops until it receives false (or is stopped).
package bug

import "sync"

// raftNode stands for hashicorp/raft: it reports leadership changes on the
// notify channel it was configured with.
type raftNode struct {
	notifyCh   chan<- bool
	changes    chan bool
	shutdownCh <-chan struct{}
}

func (r *raftNode) run() {
	for isLeader := range r.changes {
		select {
		case r.notifyCh <- isLeader: // heldout:site
		case <-r.shutdownCh:
			return
		}
	}
}

// RaftBackend is Vault's raft storage.
type RaftBackend struct {
	l            sync.RWMutex
	raft         *raftNode
	raftNotifyCh chan bool
}

// RaftLock is a lock held by whoever is raft's leader.
type RaftLock struct {
	key string
	b   *RaftBackend
}

func (l *RaftLock) monitorLeadership(stopCh <-chan struct{}, leaderNotifyCh <-chan bool) <-chan struct{} {
	leaderLost := make(chan struct{})
	go func() {
		select {
		case isLeader := <-leaderNotifyCh: // heldout:site
			if !isLeader {
				close(leaderLost)
			}
		case <-stopCh:
		}
	}()
	return leaderLost
}

// Lock waits until this node is leader and returns a channel closed when
// leadership is lost.
func (l *RaftLock) Lock(stopCh <-chan struct{}) (<-chan struct{}, error) {
	l.b.l.RLock()
	leaderNotifyCh := l.b.raftNotifyCh
	l.b.l.RUnlock()
	for {
		select {
		case isLeader := <-leaderNotifyCh:
			if isLeader {
				return l.monitorLeadership(stopCh, leaderNotifyCh), nil
			}
		case <-stopCh:
			return nil, nil
		}
	}
}

// runActive holds the lock until leadership is lost.
func runActive(l *RaftLock, stopCh <-chan struct{}) {
	for {
		leaderLostCh, err := l.Lock(stopCh)
		if err != nil || leaderLostCh == nil {
			return
		}
		<-leaderLostCh // heldout:site
	}
}

// Start wires raft's notifications to the lock.
func Start(changes chan bool, stopCh <-chan struct{}) {
	notify := make(chan bool)
	b := &RaftBackend{raftNotifyCh: notify, raft: &raftNode{notifyCh: notify, changes: changes, shutdownCh: stopCh}}
	go b.raft.run()
	go runActive(&RaftLock{key: "core/lock", b: b}, stopCh)
}

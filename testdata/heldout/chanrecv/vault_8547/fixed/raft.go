// Package fixed is the fixed version of chanrecv/vault_8547: the monitor
// keeps receiving until leadership is lost or it is stopped.
package fixed

import "sync"

type raftNode struct {
	notifyCh   chan<- bool
	changes    chan bool
	shutdownCh <-chan struct{}
}

func (r *raftNode) run() {
	for isLeader := range r.changes {
		select {
		case r.notifyCh <- isLeader:
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
		for {
			select {
			case isLeader := <-leaderNotifyCh:
				// A true means we are still (or again) leader: keep
				// waiting for the loss.
				if !isLeader {
					close(leaderLost)
					return
				}
			case <-stopCh:
				return
			}
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

func runActive(l *RaftLock, stopCh <-chan struct{}) {
	for {
		leaderLostCh, err := l.Lock(stopCh)
		if err != nil || leaderLostCh == nil {
			return
		}
		select {
		case <-leaderLostCh:
		case <-stopCh:
			return
		}
	}
}

// Start wires raft's notifications to the lock.
func Start(changes chan bool, stopCh <-chan struct{}) {
	notify := make(chan bool)
	b := &RaftBackend{raftNotifyCh: notify, raft: &raftNode{notifyCh: notify, changes: changes, shutdownCh: stopCh}}
	go b.raft.run()
	go runActive(&RaftLock{key: "core/lock", b: b}, stopCh)
}

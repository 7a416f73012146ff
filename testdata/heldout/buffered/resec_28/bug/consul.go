// Package bug is a held-out kernel (issue 14): a watcher's send into a
// bounded channel whose only reader is stuck in a call that does not return.
//
// Upstream: seatgeek/resec#28 ("Removing deadlock in Consul manager")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: continuouslyAcquireConsulLeadership loops over a timer and
// m.masterCh, calling acquireConsulLeadership, which was assumed to give up
// after a while but in fact blocks until the Consul lock is acquired.
// Meanwhile watchConsulMasterService keeps writing every master change
// into the buffered m.masterCh; once it is full the watcher blocks on the
// send too, and no Consul state change reaches the reconciler any more.
//
// Fix: the PR takes masterCh out of the loop's select (commented out in
// continuouslyAcquireConsulLeadership) and the watcher no longer writes it.
package bug

import "time"

// Lock is a Consul lock.
type Lock interface {
	Lock(stopCh <-chan struct{}) (<-chan struct{}, error)
}

// MasterService is a change of the master service's address.
type MasterService struct {
	Address string
	Port    int
}

type consulManager struct {
	lock     Lock
	lockCh   <-chan struct{}
	masterCh chan bool
	stopCh   chan struct{}
	stateCh  chan MasterService
	changes  func(waitIndex uint64) (MasterService, uint64, error)
}

func newConsulManager(lock Lock) *consulManager {
	return &consulManager{
		lock:     lock,
		masterCh: make(chan bool, 1),
		stopCh:   make(chan struct{}),
		stateCh:  make(chan MasterService, 1),
	}
}

// GetStateReader returns the channel the reconciler reads Consul state from.
func (m *consulManager) GetStateReader() <-chan MasterService {
	return m.stateCh
}

// continuouslyAcquireConsulLeadership tries to become leader every 250ms
// or as soon as the master goes away.
func (m *consulManager) continuouslyAcquireConsulLeadership() {
	timer := time.NewTicker(250 * time.Millisecond)
	defer timer.Stop()
	for {
		select {
		case <-m.stopCh:
			return
		case <-timer.C:
			m.acquireConsulLeadership()
		case <-m.masterCh:
			m.acquireConsulLeadership()
		}
	}
}

// acquireConsulLeadership blocks until the lock is held.
func (m *consulManager) acquireConsulLeadership() {
	if m.lockCh != nil {
		return
	}
	lockCh, err := m.lock.Lock(m.stopCh) // heldout:site
	if err == nil {
		m.lockCh = lockCh
	}
}

// watchConsulMasterService follows the address of the elected master.
func (m *consulManager) watchConsulMasterService() {
	var waitIndex uint64
	for {
		ms, idx, err := m.changes(waitIndex)
		if err != nil {
			continue
		}
		waitIndex = idx
		m.stateCh <- ms
		m.masterCh <- true // heldout:site
	}
}

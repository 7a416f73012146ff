// Package fixed is the fixed version of buffered/resec_28: nothing writes
// masterCh any more and the leadership loop no longer selects on it (the
// PR comments the case out); the loop runs on the timer alone.
package fixed

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
		}
	}
}

// acquireConsulLeadership blocks until the lock is held.
func (m *consulManager) acquireConsulLeadership() {
	if m.lockCh != nil {
		return
	}
	lockCh, err := m.lock.Lock(m.stopCh)
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
	}
}

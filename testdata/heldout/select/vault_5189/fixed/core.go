// Package fixed is the fixed version of select/vault_5189: the state lock
// is grabbed with grabLockOrStop, which returns when stopCh closes.
package fixed

import (
	"log"
	"sync"
)

// Core is Vault's core.
type Core struct {
	stateLock     sync.RWMutex
	standby       bool
	sealed        bool
	standbyStopCh chan struct{}
	standbyDoneCh chan struct{}
	leaderLostCh  chan struct{}
}

// grabLockOrStop locks lock unless stopCh closes first; it reports whether
// it stopped (then the lock is not held).
func grabLockOrStop(lockFunc, unlockFunc func(), stopCh chan struct{}) (stopped bool) {
	lockGrabbed := make(chan struct{})
	lockReleased := make(chan struct{})
	var mu sync.Mutex
	var doneWaiting bool
	go func() {
		lockFunc()
		close(lockGrabbed)
		mu.Lock()
		if doneWaiting {
			unlockFunc()
			close(lockReleased)
		}
		mu.Unlock()
	}()
	select {
	case <-stopCh:
		mu.Lock()
		select {
		case <-lockGrabbed:
			mu.Unlock()
			return false
		default:
		}
		doneWaiting = true
		mu.Unlock()
		return true
	case <-lockGrabbed:
		return false
	}
}

func (c *Core) waitForLeadership(stopCh chan struct{}) {
	for {
		select {
		case <-c.leaderLostCh:
			log.Print("leadership lost, stopping active operation")
		case <-stopCh:
		}

		if stopped := grabLockOrStop(c.stateLock.Lock, c.stateLock.Unlock, stopCh); stopped {
			return
		}
		c.standby = true
		c.stateLock.Unlock()

		select {
		case <-stopCh:
			return
		default:
		}
	}
}

func (c *Core) runStandby(doneCh, stopCh chan struct{}) {
	defer close(doneCh)
	c.waitForLeadership(stopCh)
}

// Standby starts the standby loop.
func (c *Core) Standby() {
	c.standbyStopCh = make(chan struct{})
	c.standbyDoneCh = make(chan struct{})
	go c.runStandby(c.standbyDoneCh, c.standbyStopCh)
}

// Seal stops the standby loop and waits for it under the state lock.
func (c *Core) Seal() {
	c.stateLock.Lock()
	defer c.stateLock.Unlock()
	close(c.standbyStopCh)
	<-c.standbyDoneCh
	c.sealed = true
}

// Package bug is a held-out kernel (issue 14): a select that picks the
// leadership-lost case and then locks the state lock, while the sealer
// holds that lock and waits for this goroutine to finish.
//
// Upstream: hashicorp/vault#5189 ("Fix potential deadlock")
// Seen: 485d1a0 (analyzer/lockorder's testdata kernels/wait2.go K24 reduces the same bug)
//
// Bug: when leaderLostCh and stopCh fire together and the select picks
// leaderLostCh, waitForLeadership goes on to c.stateLock.Lock(); the sealer
// holds stateLock, has closed the standby stop channel and waits on
// standbyDoneCh, which this goroutine closes only when it returns.
//
// Fix: the lock is taken with grabLockOrStop, which gives up when stopCh
// closes, whichever case the select took.
package bug

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

func (c *Core) waitForLeadership(stopCh chan struct{}) {
	for {
		select {
		case <-c.leaderLostCh:
			log.Print("leadership lost, stopping active operation")
		case <-stopCh:
		}

		c.stateLock.Lock() // heldout:site
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
	<-c.standbyDoneCh // heldout:site
	c.sealed = true
}

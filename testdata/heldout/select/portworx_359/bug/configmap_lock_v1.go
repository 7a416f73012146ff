// Package bug is a held-out kernel (issue 14): a send under a lock to a
// goroutine whose other select case is blocked on that lock.
//
// Upstream: portworx/sched-ops#359 ("PWX-36344: Fixes deadlock in configmap lock v1")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: Unlock holds kLockV1's mutex and sends on the unbuffered done
// channel to stop the refresher; the refresher may just have taken its
// ticker case and be waiting for the same mutex, so it never comes back to
// receive done, and Unlock never releases the mutex ("classic deadlock").
//
// Fix: done has a buffer of one, so Unlock's send completes.
package bug

import (
	"sync"
	"time"
)

type coreConfigMapLockV1 struct {
	sync.Mutex
	id   string
	done chan struct{}
}

type configMap struct {
	name                string
	lockRefreshDuration time.Duration
	kLockV1             coreConfigMapLockV1
	data                map[string]string
}

// Lock takes the configmap lock for id and keeps it refreshed.
func (c *configMap) Lock(id string) error {
	c.kLockV1.Lock()
	defer c.kLockV1.Unlock()
	c.data["owner"] = id
	c.kLockV1.id = id
	c.kLockV1.done = make(chan struct{})
	go c.refreshLockV1(id, c.kLockV1.done)
	return nil
}

// Unlock releases the configmap lock and stops the refresher.
func (c *configMap) Unlock() error {
	c.kLockV1.Lock()
	defer c.kLockV1.Unlock()
	if c.kLockV1.done != nil {
		c.kLockV1.done <- struct{}{} // heldout:site
		c.kLockV1.done = nil
	}
	delete(c.data, "owner")
	c.kLockV1.id = ""
	return nil
}

func (c *configMap) refreshLockV1(id string, done chan struct{}) {
	refresh := time.NewTicker(c.lockRefreshDuration)
	defer refresh.Stop()
	for {
		select {
		case <-refresh.C:
			c.kLockV1.Lock() // heldout:site
			if c.kLockV1.id == id {
				c.data["expiry"] = time.Now().Add(c.lockRefreshDuration).String()
			}
			c.kLockV1.Unlock()
		case <-done:
			return
		}
	}
}

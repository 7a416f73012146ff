// Package bug is a held-out kernel (issue 14): a Nomad client shutting
// down in dev mode holds the alloc map's write lock while it destroys
// each alloc runner and waits for the runner to finish; the runner, on
// its way out, reports its terminal status through updateAllocStatus,
// which (when another alloc was waiting for this one) reads the alloc map
// under its read lock; the runner never finishes and Shutdown waits for
// it for ever.
//
// Upstream: hashicorp/nomad#2152 ("Fix race when shutting down in dev mode")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR: "Client.Shutdown holds the allocLock when destroying alloc
// runners in dev mode. Client.updateAllocStatus can be called during
// AllocRunner shutdown and calls getAllocRunners which tries to acquire
// allocLock.RLock. This deadlocks since Client.Shutdown already has the
// write lock." Shutdown waits on each runner's WaitCh, which Run closes
// after its last status update. Allocations, task runners, the state
// database and the server RPCs are reduced to a few fields and a
// buffered updates channel.
//
// Fix: Shutdown takes a snapshot with getAllocRunners and destroys and
// waits for the runners without holding allocLock.
package bug

import (
	"sync"
)

const (
	AllocClientStatusRunning  = "running"
	AllocClientStatusComplete = "complete"
)

// Allocation is the client's view of an allocation.
type Allocation struct {
	ID                 string
	PreviousAllocation string
	ClientStatus       string
	Sticky             bool
}

// Terminated reports whether the allocation has stopped.
func (a *Allocation) Terminated() bool { return a.ClientStatus == AllocClientStatusComplete }

// AllocStateUpdater receives an allocation's status changes.
type AllocStateUpdater func(alloc *Allocation)

// AllocRunner runs one allocation.
type AllocRunner struct {
	alloc    *Allocation
	updater  AllocStateUpdater
	allocDir string

	destroy     bool
	destroyCh   chan struct{}
	destroyLock sync.Mutex
	waitCh      chan struct{}
}

// NewAllocRunner returns a runner for alloc.
func NewAllocRunner(alloc *Allocation, updater AllocStateUpdater) *AllocRunner {
	return &AllocRunner{
		alloc:     alloc,
		updater:   updater,
		allocDir:  "/var/nomad/alloc/" + alloc.ID,
		destroyCh: make(chan struct{}),
		waitCh:    make(chan struct{}),
	}
}

// Run runs the allocation until it is destroyed.
func (r *AllocRunner) Run() {
	defer close(r.waitCh)
	r.alloc.ClientStatus = AllocClientStatusRunning
	r.updater(r.alloc)
	<-r.destroyCh
	r.alloc.ClientStatus = AllocClientStatusComplete
	r.updater(r.alloc) // heldout:site
}

// Destroy stops the allocation.
func (r *AllocRunner) Destroy() {
	r.destroyLock.Lock()
	defer r.destroyLock.Unlock()
	if r.destroy {
		return
	}
	r.destroy = true
	close(r.destroyCh)
}

// WaitCh is closed when Run returns.
func (r *AllocRunner) WaitCh() <-chan struct{} { return r.waitCh }

// GetAllocDir returns the allocation's directory.
func (r *AllocRunner) GetAllocDir() string { return r.allocDir }

// Client is a Nomad client agent.
type Client struct {
	devMode bool

	allocs    map[string]*AllocRunner
	allocLock sync.RWMutex

	blockedAllocations map[string]*Allocation
	blockedAllocsLock  sync.Mutex

	allocUpdates chan *Allocation

	shutdown     bool
	shutdownCh   chan struct{}
	shutdownLock sync.Mutex
}

// NewClient returns a client.
func NewClient(devMode bool) *Client {
	c := &Client{
		devMode:            devMode,
		allocs:             map[string]*AllocRunner{},
		blockedAllocations: map[string]*Allocation{},
		allocUpdates:       make(chan *Allocation, 64),
		shutdownCh:         make(chan struct{}),
	}
	go c.allocSync()
	return c
}

// addAlloc starts a runner for alloc, unless it must wait for its
// previous allocation to stop.
func (c *Client) addAlloc(alloc *Allocation) {
	if alloc.PreviousAllocation != "" {
		c.allocLock.RLock()
		_, running := c.allocs[alloc.PreviousAllocation]
		c.allocLock.RUnlock()
		if running {
			c.blockedAllocsLock.Lock()
			c.blockedAllocations[alloc.PreviousAllocation] = alloc
			c.blockedAllocsLock.Unlock()
			return
		}
	}
	ar := NewAllocRunner(alloc, c.updateAllocStatus)
	c.allocLock.Lock()
	c.allocs[alloc.ID] = ar
	c.allocLock.Unlock()
	go ar.Run()
}

// getAllocRunners returns a snapshot of the alloc runners.
func (c *Client) getAllocRunners() map[string]*AllocRunner {
	c.allocLock.RLock() // heldout:site
	defer c.allocLock.RUnlock()
	runners := make(map[string]*AllocRunner, len(c.allocs))
	for id, ar := range c.allocs {
		runners[id] = ar
	}
	return runners
}

// updateAllocStatus is the runners' AllocStateUpdater.
func (c *Client) updateAllocStatus(alloc *Allocation) {
	if alloc.Terminated() {
		c.blockedAllocsLock.Lock()
		blocked, ok := c.blockedAllocations[alloc.ID]
		if ok {
			prevAllocDir := ""
			if ar, ok := c.getAllocRunners()[alloc.ID]; ok && blocked.Sticky { // heldout:site
				prevAllocDir = ar.GetAllocDir()
			}
			_ = prevAllocDir
			delete(c.blockedAllocations, alloc.ID)
			c.blockedAllocsLock.Unlock()
			go c.addAlloc(blocked)
		} else {
			c.blockedAllocsLock.Unlock()
		}
	}
	stripped := &Allocation{ID: alloc.ID, ClientStatus: alloc.ClientStatus}
	select {
	case c.allocUpdates <- stripped:
	case <-c.shutdownCh:
	}
}

// allocSync batches status updates to the servers.
func (c *Client) allocSync() {
	for {
		select {
		case <-c.shutdownCh:
			return
		case <-c.allocUpdates:
		}
	}
}

// Shutdown tears the client down, destroying its allocations in dev mode.
func (c *Client) Shutdown() error {
	c.shutdownLock.Lock()
	defer c.shutdownLock.Unlock()
	if c.shutdown {
		return nil
	}

	if c.devMode {
		c.allocLock.Lock() // heldout:site
		for _, ar := range c.allocs {
			ar.Destroy()
			<-ar.WaitCh() // heldout:site
		}
		c.allocLock.Unlock()
	}

	c.shutdown = true
	close(c.shutdownCh)
	return nil
}

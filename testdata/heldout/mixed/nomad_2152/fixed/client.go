// Package fixed is the fixed version of mixed/nomad_2152: Shutdown
// destroys and waits for a snapshot of the runners without allocLock.
package fixed

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
	r.updater(r.alloc)
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
	c.allocLock.RLock()
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
			if ar, ok := c.getAllocRunners()[alloc.ID]; ok && blocked.Sticky {
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
		for _, ar := range c.getAllocRunners() {
			ar.Destroy()
			<-ar.WaitCh()
		}
	}

	c.shutdown = true
	close(c.shutdownCh)
	return nil
}

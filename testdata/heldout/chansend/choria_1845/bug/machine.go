// Package bug is a held-out kernel (issue 14): Machine.Start reports that
// the machine is running on an unbuffered channel that its main caller
// never reads.
//
// Upstream: choria-io/go-choria#1845 ("machine start leaks a go routine")
// Round: 14
//
// Bug: an Autonomous Agent machine's Start derives the machine's context,
// starts a goroutine that sleeps for the splay, runs the watcher manager
// and then sends on the "started" channel it returned, made unbuffered.
// The agent's loader calls Start and drops that channel, so every started
// machine leaves a goroutine blocked on the send (the issue: "this is not
// buffered and so it blocks. It's generally harmless but can prevent clean
// shutdowns"). The manager interface, the logging and the agent's loader
// are our reduction; Start follows aagent/machine.
//
// Fix (our reading of PR #1846, "avoid blocking channel write in machine
// Start()"): the channel gets one slot, so the send completes whether or
// not anyone waits for it.
package bug

import (
	"context"
	"log"
	"math/rand"
	"sync"
	"time"
)

// WatcherManager runs a machine's watchers.
type WatcherManager interface {
	Run(ctx context.Context, wg *sync.WaitGroup) error
}

// Machine is an autonomous agent state machine.
type Machine struct {
	MachineName string
	SplayStart  int

	manager   WatcherManager
	ctx       context.Context
	cancel    context.CancelFunc
	startTime time.Time
}

// Start runs the machine in the background.
func (m *Machine) Start(ctx context.Context, wg *sync.WaitGroup) (started chan struct{}) {
	m.ctx, m.cancel = context.WithCancel(ctx)

	started = make(chan struct{})

	runf := func() {
		if m.SplayStart > 0 {
			sleep := time.Duration(rand.Intn(m.SplayStart)) * time.Second
			t := time.NewTimer(sleep)
			defer t.Stop()

			select {
			case <-t.C:
			case <-m.ctx.Done():
				return
			}
		}

		m.startTime = time.Now().UTC()
		if err := m.manager.Run(m.ctx, wg); err != nil {
			log.Printf("%s: could not start manager: %s", m.MachineName, err)
		}

		started <- struct{}{} // heldout:site
	}

	go runf()

	return started
}

// Stop stops a running machine by cancelling its context.
func (m *Machine) Stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

// AAgent loads and runs machines.
type AAgent struct {
	ctx      context.Context
	wg       *sync.WaitGroup
	mu       sync.Mutex
	machines []*Machine
}

func (a *AAgent) loadMachine(m *Machine) {
	a.mu.Lock()
	a.machines = append(a.machines, m)
	a.mu.Unlock()

	m.Start(a.ctx, a.wg) // heldout:site
}

// Stop stops every machine and waits for their watchers.
func (a *AAgent) Stop() {
	a.mu.Lock()
	for _, m := range a.machines {
		m.Stop()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

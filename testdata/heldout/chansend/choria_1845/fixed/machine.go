// Package fixed is the fixed version of chansend/choria_1845: the started
// channel has a slot, so Start's goroutine never waits for a reader.
package fixed

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

	started = make(chan struct{}, 1)

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

		started <- struct{}{}
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

	m.Start(a.ctx, a.wg)
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

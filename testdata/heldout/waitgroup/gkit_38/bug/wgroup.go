// Package bug is a held-out kernel (issue 14): a task counted with
// WaitGroup.Add that is never run (and so never Done) when enqueueing it
// fails.
//
// Upstream: songzhibin97/gkit#38 ("fix(wgroup): call wg.Done on enqueue failure to prevent Wait deadlock")
//
// Bug: AddTask calls wg.Add(1) and then tries to hand the task to the
// workers' queue without waiting; when the queue is full it returns false,
// but the count stays up and Wait blocks forever.
//
// Fix: AddTask calls wg.Done before it returns false.
package bug

import (
	"context"
	"sync"
)

// Group runs tasks on a fixed set of workers.
type Group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ch     chan func(ctx context.Context)
}

// NewGroup starts n workers with a queue of size n.
func NewGroup(n int) *Group {
	ctx, cancel := context.WithCancel(context.Background())
	g := &Group{ctx: ctx, cancel: cancel, ch: make(chan func(ctx context.Context), n)}
	for i := 0; i < n; i++ {
		go g.worker()
	}
	return g
}

func (g *Group) worker() {
	for {
		select {
		case f := <-g.ch:
			f(g.ctx)
			g.wg.Done()
		case <-g.ctx.Done():
			return
		}
	}
}

// AddTask queues f; it reports false when the queue is full.
func (g *Group) AddTask(f func(ctx context.Context)) bool {
	g.wg.Add(1) // heldout:site
	select {
	case g.ch <- f:
		return true
	default:
		return false // heldout:site
	}
}

// Wait waits for every queued task, then stops the workers.
func (g *Group) Wait() {
	g.wg.Wait() // heldout:site
	g.cancel()
}

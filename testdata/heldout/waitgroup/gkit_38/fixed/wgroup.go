// Package fixed is the fixed version of waitgroup/gkit_38: a task that is
// not queued is not counted.
package fixed

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
	g.wg.Add(1)
	select {
	case g.ch <- f:
		return true
	default:
		g.wg.Done()
		return false
	}
}

// Wait waits for every queued task, then stops the workers.
func (g *Group) Wait() {
	g.wg.Wait()
	g.cancel()
}

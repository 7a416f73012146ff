// Package bug is a held-out kernel (issue 14): a lost wake-up: Signal can
// run before the waiter reaches Wait, and Wait has no predicate.
//
// Upstream: cockroachdb/cockroach#69408 ("changefeedccl: replace sync.Cond with channel in TestBlockingBuffer", potentially fixes cockroachdb/cockroach#69373)
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the producer's notifyWait callback signals the Cond when it blocks
// on the memory quota; the consumer waits on the Cond before it starts
// consuming. Signal wakes only current waiters: when the producer blocks
// first, the signal is lost, the consumer waits forever and the producer
// stays blocked on the full buffer.
//
// Fix: a channel closed once (sync.Once) replaces the Cond; a receive on a
// closed channel does not miss an earlier close.
package bug

import (
	"context"
	"sync"
)

type blockingBuffer struct {
	quota      chan struct{}
	notifyWait func(ctx context.Context)
	events     chan int
}

func newBlockingBuffer(size int, notifyWait func(ctx context.Context)) *blockingBuffer {
	return &blockingBuffer{quota: make(chan struct{}, size), notifyWait: notifyWait, events: make(chan int, size)}
}

func (b *blockingBuffer) Add(ctx context.Context, e int) {
	select {
	case b.quota <- struct{}{}:
	default:
		b.notifyWait(ctx)
		b.quota <- struct{}{}
	}
	b.events <- e
}

func (b *blockingBuffer) Get() int {
	e := <-b.events
	<-b.quota
	return e
}

// runBlockingBuffer waits until the producer blocks, then consumes.
func runBlockingBuffer(ctx context.Context, n int) {
	var mu sync.Mutex
	waitCh := sync.NewCond(&mu)
	buf := newBlockingBuffer(1, func(ctx context.Context) {
		waitCh.Signal() // heldout:site
	})

	go func() {
		for i := 0; i < n; i++ {
			buf.Add(ctx, i)
		}
	}()

	mu.Lock()
	waitCh.Wait() // heldout:site
	mu.Unlock()

	for i := 0; i < n; i++ {
		buf.Get()
	}
}

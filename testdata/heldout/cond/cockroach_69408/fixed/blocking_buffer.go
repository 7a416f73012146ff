// Package fixed is the fixed version of cond/cockroach_69408: the producer
// closes a channel once, and the consumer receives from it.
package fixed

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
	waiterBlocked := make(chan struct{})
	var once sync.Once
	buf := newBlockingBuffer(1, func(ctx context.Context) {
		once.Do(func() { close(waiterBlocked) })
	})

	go func() {
		for i := 0; i < n; i++ {
			buf.Add(ctx, i)
		}
		once.Do(func() { close(waiterBlocked) })
	}()

	<-waiterBlocked

	for i := 0; i < n; i++ {
		buf.Get()
	}
}

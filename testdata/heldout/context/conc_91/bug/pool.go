// Package bug is a held-out kernel (issue 14): a ContextPool whose Wait
// returns without cancelling the pool's context, so goroutines the tasks
// tied to that context wait on Done for ever.
//
// Upstream: sourcegraph/conc#91 ("pool: ensure ContextPool.cancel() is called")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: pool.WithContext derives the pool's context with
// context.WithCancel and keeps the cancel func in the ContextPool; it was
// only called when a task failed and WithCancelOnError was set. Once
// cancel-on-error stopped being the default, a pool could be waited on and
// dropped without its context ever being cancelled (the PR: "which causes
// a goroutine leakage"). The kernel's Fetch shows the leaking side: each
// task starts a watcher that closes the task's connection when the pool's
// context is done, the usual way to abort a blocking read; after a
// successful Wait nothing cancels that context and every watcher stays
// parked on <-ctx.Done(). The error aggregation and the watcher are our
// reduction; the pool's fields and methods follow conc.
//
// Fix: ContextPool.Wait calls p.cancel() (safe to call more than once)
// after the tasks are done.
package bug

import (
	"context"
	"errors"
	"io"
	"sync"
)

// ContextPool runs tasks that take the pool's context and may fail.
type ContextPool struct {
	wg            sync.WaitGroup
	mu            sync.Mutex
	errs          []error
	ctx           context.Context
	cancel        context.CancelFunc
	cancelOnError bool
}

// WithContext makes a pool whose tasks get a context derived from ctx.
func WithContext(ctx context.Context) *ContextPool {
	ctx, cancel := context.WithCancel(ctx) // heldout:site
	return &ContextPool{ctx: ctx, cancel: cancel}
}

// WithCancelOnError makes the first failing task cancel the others.
func (p *ContextPool) WithCancelOnError() *ContextPool {
	p.cancelOnError = true
	return p
}

// Go runs f in a new goroutine.
func (p *ContextPool) Go(f func(ctx context.Context) error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := f(p.ctx); err != nil {
			p.mu.Lock()
			p.errs = append(p.errs, err)
			p.mu.Unlock()
			if p.cancelOnError {
				p.cancel()
			}
		}
	}()
}

// Wait waits for all tasks and returns their errors joined.
func (p *ContextPool) Wait() error {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}

// Conn is a connection whose reads can only be aborted by closing it.
type Conn interface {
	io.ReadCloser
}

// Dialer opens a connection to addr.
type Dialer func(addr string) (Conn, error)

// Fetch reads one chunk from every address concurrently.
func Fetch(ctx context.Context, dial Dialer, addrs []string) ([][]byte, error) {
	out := make([][]byte, len(addrs))
	p := WithContext(ctx)
	for i, addr := range addrs {
		p.Go(func(ctx context.Context) error {
			conn, err := dial(addr)
			if err != nil {
				return err
			}
			go func() {
				<-ctx.Done() // heldout:site
				conn.Close()
			}()
			buf := make([]byte, 512)
			n, err := conn.Read(buf)
			out[i] = buf[:n]
			return err
		})
	}
	return out, p.Wait() // heldout:site
}

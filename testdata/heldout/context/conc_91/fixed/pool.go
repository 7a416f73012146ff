// Package fixed is the fixed version of context/conc_91: Wait cancels the
// pool's context once the tasks are done.
package fixed

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
	ctx, cancel := context.WithCancel(ctx)
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
	p.cancel()
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
				<-ctx.Done()
				conn.Close()
			}()
			buf := make([]byte, 512)
			n, err := conn.Read(buf)
			out[i] = buf[:n]
			return err
		})
	}
	return out, p.Wait()
}

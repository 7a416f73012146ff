// Package bug is a held-out kernel (issue 14): a resource pool turns its
// condition wait into a channel with a helper goroutine; when Acquire's
// context is cancelled it locks the pool to count the cancellation before
// it starts the goroutine that takes the helper's wake-up and unlocks,
// and if the helper has already been woken and re-locked the pool, that
// Lock waits for an unlock only the not-yet-started goroutine would do.
//
// Upstream: jackc/puddle#2 ("Fix deadlock race when acquire is cancelled")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: Acquire holds p.cond.L when no resource is idle and the pool is
// full. With a cancellable context it starts a goroutine that calls
// p.cond.Wait() (releasing the lock, then re-locking it on a Signal) and
// sends on waitChan (one slot); it selects on ctx.Done() and waitChan.
// On cancellation it did p.cond.L.Lock(); canceledAcquireCount++;
// Unlock(), and only then started the goroutine that receives from
// waitChan, re-signals and unlocks on the helper's behalf. The PR: "If
// the waiter goroutine is signaled before the section guarding
// canceledAcquireCount has run, then there is a deadlock because the
// only goroutine that can release the lock has already re-acquired it."
// Construction and destruction of resources are reduced to functions.
//
// Fix: the goroutine that releases the helper's lock is started before
// Acquire locks the pool to count the cancellation.
package bug

import (
	"context"
	"errors"
	"sync"
)

// ErrClosedPool is returned by Acquire on a closed pool.
var ErrClosedPool = errors.New("closed pool")

// Resource is one pooled value.
type Resource struct {
	value any
	pool  *Pool
}

// Release returns the resource to its pool.
func (res *Resource) Release() { res.pool.releaseAcquiredResource(res) }

// Pool is a pool of resources.
type Pool struct {
	cond          *sync.Cond
	idleResources []*Resource
	allResources  int
	maxSize       int
	closed        bool

	canceledAcquireCount int64

	construct func(ctx context.Context) (any, error)
}

// NewPool returns an empty pool of at most maxSize resources.
func NewPool(construct func(ctx context.Context) (any, error), maxSize int) *Pool {
	return &Pool{cond: sync.NewCond(new(sync.Mutex)), maxSize: maxSize, construct: construct}
}

// Acquire gets a resource, waiting while the pool is at its size.
func (p *Pool) Acquire(ctx context.Context) (*Resource, error) {
	p.cond.L.Lock()
	for {
		if p.closed {
			p.cond.L.Unlock()
			return nil, ErrClosedPool
		}
		if n := len(p.idleResources); n > 0 {
			res := p.idleResources[n-1]
			p.idleResources = p.idleResources[:n-1]
			p.cond.L.Unlock()
			return res, nil
		}
		if p.allResources < p.maxSize {
			p.allResources++
			p.cond.L.Unlock()
			value, err := p.construct(ctx)
			if err != nil {
				p.cond.L.Lock()
				p.allResources--
				p.cond.L.Unlock()
				p.cond.Signal()
				return nil, err
			}
			return &Resource{value: value, pool: p}, nil
		}

		if ctx.Done() == nil {
			p.cond.Wait()
			continue
		}

		// Convert p.cond.Wait into a channel.
		waitChan := make(chan struct{}, 1)
		go func() {
			p.cond.Wait()
			waitChan <- struct{}{}
		}()

		select {
		case <-ctx.Done():
			p.cond.L.Lock() // heldout:site
			p.canceledAcquireCount++
			p.cond.L.Unlock()

			// Let the waiting goroutine finish: re-signal, since we cannot
			// use its wake-up, and unlock on its behalf.
			go func() { // heldout:site
				<-waitChan
				p.cond.Signal()
				p.cond.L.Unlock()
			}()
			return nil, ctx.Err()
		case <-waitChan:
		}
	}
}

func (p *Pool) releaseAcquiredResource(res *Resource) {
	p.cond.L.Lock()
	if !p.closed {
		p.idleResources = append(p.idleResources, res)
	} else {
		p.allResources--
	}
	p.cond.L.Unlock()
	p.cond.Signal()
}

// Close closes the pool and wakes its waiters.
func (p *Pool) Close() {
	p.cond.L.Lock()
	p.closed = true
	p.idleResources = nil
	p.cond.L.Unlock()
	p.cond.Broadcast()
}

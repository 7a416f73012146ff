// Package bug is a held-out kernel (issue 14): go-workflows' workflow
// WaitGroup resolves its future only when the counter drops to zero while
// someone is already waiting; when every Done happens before Wait is
// called, the future is never set and Wait blocks for ever.
//
// Upstream: cschleiden/go-workflows#331 ("Fix waitgroup when waiting after Done")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: waitGroup keeps a counter n, a settable future f and a waiting
// flag. Wait sets waiting and blocks in f.Get(ctx). Add(delta) updates n
// and returns early `if wg.n > 0 || !wg.waiting`, so the `wg.f.Set(...)`
// for n == 0 runs only when Wait has already been called. A workflow that
// starts its goroutines, lets them all finish, and only then calls Wait
// ("When `Wait`-ing on the wait group after the wait counter was set to
// `0` already, the `Wait` would never return") waits on a future nobody
// will set. Our reduction: the deterministic coroutine scheduler's future
// becomes a channel-backed future with the same Get/Set shape, and
// workflow.Go a plain goroutine.
//
// Fix: Wait returns at once when n == 0, and Add sets the future whenever
// a Done brings n to zero, whether or not anyone is waiting yet.
package bug

import (
	"context"
	"errors"
	"sync"
)

// SettableFuture is a value that is set once.
type SettableFuture[T any] interface {
	Get(ctx context.Context) (T, error)
	Set(v T, err error)
}

type future[T any] struct {
	once sync.Once
	done chan struct{}
	v    T
	err  error
}

// NewFuture returns an unset future.
func NewFuture[T any]() SettableFuture[T] {
	return &future[T]{done: make(chan struct{})}
}

func (f *future[T]) Set(v T, err error) {
	f.once.Do(func() {
		f.v, f.err = v, err
		close(f.done)
	})
}

func (f *future[T]) Get(ctx context.Context) (T, error) {
	select {
	case <-f.done: // heldout:site
		return f.v, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// WaitGroup waits for workflow goroutines.
type WaitGroup interface {
	Add(delta int)
	Done()
	Wait(ctx context.Context)
}

type waitGroup struct {
	mu      sync.Mutex
	n       int
	f       SettableFuture[struct{}]
	waiting bool
}

// NewWaitGroup returns a WaitGroup.
func NewWaitGroup() WaitGroup {
	return &waitGroup{f: NewFuture[struct{}]()}
}

func (wg *waitGroup) Wait(ctx context.Context) {
	wg.mu.Lock()
	wg.waiting = true
	wg.mu.Unlock()

	if _, err := wg.f.Get(ctx); err != nil { // heldout:site
		panic(err)
	}
}

func (wg *waitGroup) Add(delta int) {
	wg.mu.Lock()
	defer wg.mu.Unlock()

	wg.n += delta

	if wg.n < 0 {
		panic("negative WaitGroup counter")
	}

	if wg.waiting && delta > 0 && wg.n == delta {
		panic("WaitGroup misuse: Add called concurrently with Wait")
	}

	if wg.n > 0 || !wg.waiting {
		return // heldout:site
	}

	if wg.n == 0 {
		wg.f.Set(struct{}{}, nil)
	}
}

func (wg *waitGroup) Done() {
	wg.Add(-1)
}

var errNoResults = errors.New("no results")

// fanOut is a workflow that runs one activity per input and waits for all.
func fanOut(ctx context.Context, inputs []string, activity func(context.Context, string) (string, error)) ([]string, error) {
	wg := NewWaitGroup()
	results := make([]string, len(inputs))
	var mu sync.Mutex
	var firstErr error

	for i, in := range inputs {
		wg.Add(1)
		go func(i int, in string) {
			defer wg.Done()
			r, err := activity(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			results[i] = r
		}(i, in)
	}

	// ... the workflow does other work here; the activities may all have
	// finished before it waits.
	wg.Wait(ctx)

	if firstErr != nil {
		return nil, firstErr
	}
	if len(results) == 0 {
		return nil, errNoResults
	}
	return results, nil
}

// Package bug is a held-out kernel (issue 14): helpers that run a function
// in a goroutine and return early when the context is cancelled, while the
// goroutine reports the function's result on an unbuffered channel that
// nobody receives from any more.
//
// Upstream: projectdiscovery/utils#761 ("fix: prevent goroutine leak on context-cancelled reads (contextutil + reader.ConnReadN)")
// Round: 5
//
// Bug: ExecFunc and ExecFuncWithTwoReturns start fn in a goroutine and
// select on its result channel and ctx.Done. When the context is cancelled
// first they return ctx.Err(); fn later finishes and its goroutine blocks
// forever sending on the unbuffered result channel, one goroutine per
// cancelled call. The PR describes this part of its fix; the read
// deadline half of the PR (ConnReadN) is left out, and the bodies are our
// reduction.
//
// Fix: each result channel has a buffer of one, so the send completes.
package bug

import "context"

// ExecFunc runs fn, returning early with ctx's error if ctx ends first.
func ExecFunc(ctx context.Context, fn func()) error {
	ch := make(chan struct{})
	go func() {
		fn()
		ch <- struct{}{} // heldout:site
	}()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err() // heldout:site
	}
}

type twoResults[T1, T2 any] struct {
	r1 T1
	r2 T2
}

// ExecFuncWithTwoReturns runs fn, returning early with ctx's error if ctx
// ends first.
func ExecFuncWithTwoReturns[T1, T2 any](ctx context.Context, fn func() (T1, T2)) (T1, T2, error) {
	ch := make(chan twoResults[T1, T2])
	go func() {
		r1, r2 := fn()
		ch <- twoResults[T1, T2]{r1, r2} // heldout:site
	}()
	select {
	case res := <-ch:
		return res.r1, res.r2, nil
	case <-ctx.Done():
		var z1 T1
		var z2 T2
		return z1, z2, ctx.Err() // heldout:site
	}
}

// Reader reads from a connection.
type Reader interface {
	Read(p []byte) (int, error)
}

// ConnReadN reads up to n bytes from r, giving up when ctx ends.
func ConnReadN(ctx context.Context, r Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	got, err, cerr := ExecFuncWithTwoReturns(ctx, func() (int, error) {
		return r.Read(buf)
	})
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

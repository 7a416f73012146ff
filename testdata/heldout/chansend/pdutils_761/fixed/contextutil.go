// Package fixed is the fixed version of chansend/pdutils_761: the result
// channels hold one value, so a goroutine whose caller has gone still
// sends and returns.
package fixed

import "context"

// ExecFunc runs fn, returning early with ctx's error if ctx ends first.
func ExecFunc(ctx context.Context, fn func()) error {
	ch := make(chan struct{}, 1)
	go func() {
		fn()
		ch <- struct{}{}
	}()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type twoResults[T1, T2 any] struct {
	r1 T1
	r2 T2
}

// ExecFuncWithTwoReturns runs fn, returning early with ctx's error if ctx
// ends first.
func ExecFuncWithTwoReturns[T1, T2 any](ctx context.Context, fn func() (T1, T2)) (T1, T2, error) {
	ch := make(chan twoResults[T1, T2], 1)
	go func() {
		r1, r2 := fn()
		ch <- twoResults[T1, T2]{r1, r2}
	}()
	select {
	case res := <-ch:
		return res.r1, res.r2, nil
	case <-ctx.Done():
		var z1 T1
		var z2 T2
		return z1, z2, ctx.Err()
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

// Package bug is a held-out kernel (issue 14): an expression language
// wraps each user function so that it honours the evaluation context; the
// wrapper runs the function in a goroutine that reports on an unbuffered
// channel, and when the context is done first the wrapper returns and the
// goroutine blocks for ever on its send.
//
// Upstream: PaesslerAG/gval#107 ("feat: fix goroutine leakage problem caused by errCh write blocking.")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: toFunc turns a plain func(args ...interface{}) or any reflected
// func into a function(ctx, args...). Both wrappers start a goroutine
// that calls the user's function, stores the result in a captured
// variable and sends the error on errCh, made without a buffer; the
// caller selects on ctx.Done() and errCh. When the context wins, nothing
// ever receives on errCh and every such call leaves a goroutine blocked
// (the reflected path can also block on its early argument-error send).
// The argument check is our reduction of createCallArguments.
//
// Fix: errCh is made with a buffer of one, so the late send completes.
package bug

import (
	"context"
	"fmt"
	"reflect"
)

type function func(ctx context.Context, arguments ...interface{}) (interface{}, error)

func toFunc(f interface{}) function {
	if f, ok := f.(func(arguments ...interface{}) (interface{}, error)); ok {
		return function(func(ctx context.Context, arguments ...interface{}) (interface{}, error) {
			var v interface{}
			errCh := make(chan error) // heldout:site
			go func() {
				result, err := f(arguments...)
				v = result
				errCh <- err // heldout:site
			}()

			select {
			case <-ctx.Done():
				return nil, ctx.Err() // heldout:site
			case err := <-errCh:
				return v, err
			}
		})
	}
	if f, ok := f.(func(ctx context.Context, arguments ...interface{}) (interface{}, error)); ok {
		return function(f)
	}

	fun := reflect.ValueOf(f)
	t := fun.Type()
	return func(ctx context.Context, args ...interface{}) (interface{}, error) {
		var v interface{}
		errCh := make(chan error) // heldout:site
		go func() {
			in, err := callArguments(t, args)
			if err != nil {
				errCh <- err // heldout:site
				return
			}
			out := fun.Call(in)
			r := make([]interface{}, len(out))
			for i, e := range out {
				r[i] = e.Interface()
			}
			err = nil
			errType := reflect.TypeOf((*error)(nil)).Elem()
			if len(r) > 0 && t.Out(len(r)-1).Implements(errType) {
				if r[len(r)-1] != nil {
					err = r[len(r)-1].(error)
				}
				r = r[:len(r)-1]
			}
			switch len(r) {
			case 0:
				v = nil
			case 1:
				v = r[0]
			default:
				v = r
			}
			errCh <- err // heldout:site
		}()

		select {
		case <-ctx.Done():
			return nil, ctx.Err() // heldout:site
		case err := <-errCh:
			return v, err
		}
	}
}

func callArguments(t reflect.Type, args []interface{}) ([]reflect.Value, error) {
	if t.IsVariadic() || len(args) != t.NumIn() {
		return nil, fmt.Errorf("invalid number of parameters")
	}
	in := make([]reflect.Value, len(args))
	for i, arg := range args {
		val := reflect.ValueOf(arg)
		if arg == nil || !val.Type().AssignableTo(t.In(i)) {
			return nil, fmt.Errorf("expected type %s for parameter %d but got %T", t.In(i), i, arg)
		}
		in[i] = val
	}
	return in, nil
}

// Call evaluates a registered function under ctx.
func Call(ctx context.Context, f interface{}, args ...interface{}) (interface{}, error) {
	return toFunc(f)(ctx, args...)
}

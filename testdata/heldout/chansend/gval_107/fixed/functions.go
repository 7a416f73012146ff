// Package fixed is the fixed version of chansend/gval_107: errCh has a
// buffer of one, so the function's goroutine can send after the caller has
// returned on ctx.Done().
package fixed

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
			errCh := make(chan error, 1)
			go func() {
				result, err := f(arguments...)
				v = result
				errCh <- err
			}()

			select {
			case <-ctx.Done():
				return nil, ctx.Err()
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
		errCh := make(chan error, 1)
		go func() {
			in, err := callArguments(t, args)
			if err != nil {
				errCh <- err
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
			errCh <- err
		}()

		select {
		case <-ctx.Done():
			return nil, ctx.Err()
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

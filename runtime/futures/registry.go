package futures

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"iter"
	"runtime/debug"
	"sync"
)

// Func is a function registered by name with Register, so that a worker
// process can run it: a ProcessPool cannot run closures, because code does
// not cross process boundaries, but every process of the same binary has
// the same registered functions. A Func runs on any Executor.
type Func[A, T any] struct {
	name string
	fn   func(ctx context.Context, arg A) (T, error)
}

// remoteFunc is a registered function as a worker process calls it:
// encoded argument in, encoded result out.
type remoteFunc func(ctx context.Context, arg []byte) (result []byte, err error)

var registry struct {
	sync.Mutex
	funcs map[string]remoteFunc
}

// Register registers fn under name for worker processes and returns it as
// a Func. Call it from a package-level variable declaration or init, so
// that a worker process, which starts the same binary, registers the same
// functions before WorkerMain serves them. Arguments and results travel
// between processes encoded with encoding/gob, so A and T must be types
// gob can encode; an error returned by fn reaches the caller as a
// *RemoteError carrying its message. Register panics if name is already
// registered.
func Register[A, T any](name string, fn func(ctx context.Context, arg A) (T, error)) Func[A, T] {
	registry.Lock()
	defer registry.Unlock()
	if registry.funcs == nil {
		registry.funcs = make(map[string]remoteFunc)
	}
	if _, dup := registry.funcs[name]; dup {
		panic("futures: Register called twice for " + name)
	}
	registry.funcs[name] = func(ctx context.Context, in []byte) ([]byte, error) {
		var arg A
		if err := gob.NewDecoder(bytes.NewReader(in)).Decode(&arg); err != nil {
			return nil, fmt.Errorf("decoding the argument of %s: %w", name, err)
		}
		v, err := fn(ctx, arg)
		if err != nil {
			return nil, err
		}
		return encode(v)
	}
	return Func[A, T]{name: name, fn: fn}
}

func lookup(name string) (remoteFunc, bool) {
	registry.Lock()
	defer registry.Unlock()
	f, ok := registry.funcs[name]
	return f, ok
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Name returns the name f was registered under.
func (f Func[A, T]) Name() string { return f.name }

// Submit schedules f(arg) on ex and returns its future: in a worker process
// for a *ProcessPool, in-process otherwise.
func (f Func[A, T]) Submit(ex Executor, arg A, opts ...SubmitOption) (*Future[T], error) {
	pp, ok := ex.(*ProcessPool)
	if !ok {
		return Submit(ex, func(ctx context.Context) (T, error) { return f.fn(ctx, arg) }, opts...)
	}
	in, err := encode(arg)
	if err != nil {
		return nil, fmt.Errorf("futures: encoding the argument of %s: %w", f.name, err)
	}
	var c submitConfig
	for _, o := range opts {
		o(&c)
	}
	fut := newFuture[T](c.name, pp.graph())
	call := &remoteCall{
		name: f.name,
		args: [][]byte{in},
		finish: func(out []reply1) {
			v, err := decodeReply[T](f.name, out[0])
			fut.settle(v, err)
		},
	}
	if err := pp.schedule(task{job: fut, remote: call}); err != nil {
		return nil, err
	}
	return fut, nil
}

// decodeReply turns one item of a worker's reply into a result.
func decodeReply[T any](name string, r reply1) (v T, err error) {
	switch {
	case r.Panic:
		return v, &PanicError{Value: r.Err, Stack: []byte(r.Stack)}
	case r.Err != "":
		return v, &RemoteError{Func: name, Msg: r.Err}
	}
	if err := gob.NewDecoder(bytes.NewReader(r.Result)).Decode(&v); err != nil {
		return v, fmt.Errorf("futures: decoding the result of %s: %w", name, err)
	}
	return v, nil
}

// RemoteError is the error of a registered function that failed in a worker
// process: the error's value stays in that process, its message comes
// back.
type RemoteError struct {
	Func string // the registered name
	Msg  string // the error's message
}

func (e *RemoteError) Error() string { return e.Func + ": " + e.Msg }

// MapOption configures Func.Map.
type MapOption func(*mapConfig)

type mapConfig struct{ chunksize int }

// Chunksize sends items to a ProcessPool's workers n at a time, which saves
// round trips when the function is cheap (Python's chunksize). Other
// executors ignore it, as Python's do.
func Chunksize(n int) MapOption {
	return func(c *mapConfig) { c.chunksize = max(1, n) }
}

// Map runs f on each item on ex, like the package's Map: results in the
// order of the items, an error stops the iteration at its item, ctx bounds
// the wait, and stopping early cancels what has not started. On a
// ProcessPool, items go to the workers in chunks (see Chunksize).
func (f Func[A, T]) Map(ctx context.Context, ex Executor, items iter.Seq[A], opts ...MapOption) iter.Seq2[T, error] {
	c := mapConfig{chunksize: 1}
	for _, o := range opts {
		o(&c)
	}
	pp, ok := ex.(*ProcessPool)
	if !ok {
		return Map(ctx, ex, f.fn, items)
	}
	return func(yield func(T, error) bool) {
		var chunks []*Future[[]reply1]
		defer func() {
			for _, ch := range chunks {
				ch.Cancel()
			}
		}()
		var pending [][]byte
		flush := func() error {
			ch, err := pp.submitChunk(f.name, pending)
			pending = nil
			if err != nil {
				return err
			}
			chunks = append(chunks, ch)
			return nil
		}
		for item := range items {
			in, err := encode(item)
			if err == nil && len(pending) == c.chunksize-1 {
				pending = append(pending, in)
				err = flush()
			} else if err == nil {
				pending = append(pending, in)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
		}
		if len(pending) > 0 {
			if err := flush(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
		}
		for _, ch := range chunks {
			out, err := ch.Result(ctx)
			if err != nil {
				var zero T
				yield(zero, timeoutErr(err))
				return
			}
			for _, r := range out {
				v, err := decodeReply[T](f.name, r)
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}

// call runs a registered function for a worker, turning a panic into the
// reply's error.
func callRemote(ctx context.Context, fn remoteFunc, in []byte) (r reply1) {
	defer func() {
		if p := recover(); p != nil {
			r = reply1{Panic: true, Err: fmt.Sprint(p), Stack: string(debug.Stack())}
		}
	}()
	out, err := fn(ctx, in)
	if err != nil {
		return reply1{Err: err.Error()}
	}
	return reply1{Result: out}
}

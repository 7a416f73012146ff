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

// remoteFunc is a registered function as a worker process calls it: it
// decodes one argument from dec and, if the function succeeds, encodes its
// result to enc. A chunk of arguments shares one stream each way, so gob
// sends the types once per chunk, not once per item.
type remoteFunc func(ctx context.Context, dec *gob.Decoder, enc *gob.Encoder) (decodeErr, err error)

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
	registry.funcs[name] = func(ctx context.Context, dec *gob.Decoder, enc *gob.Encoder) (error, error) {
		var arg A
		if err := dec.Decode(&arg); err != nil {
			return fmt.Errorf("decoding the argument of %s: %w", name, err), nil
		}
		v, err := fn(ctx, arg)
		if err != nil {
			return nil, err
		}
		if err := enc.Encode(&v); err != nil {
			return nil, fmt.Errorf("encoding the result of %s: %w", name, err)
		}
		return nil, nil
	}
	return Func[A, T]{name: name, fn: fn}
}

func lookup(name string) (remoteFunc, bool) {
	registry.Lock()
	defer registry.Unlock()
	f, ok := registry.funcs[name]
	return f, ok
}

// encodeArgs encodes args as one gob stream.
func encodeArgs[A any](args ...A) ([]byte, error) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	for i := range args {
		if err := enc.Encode(&args[i]); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// decodeResults yields the n outcomes of a worker's reply in order.
func decodeResults[T any](name string, n int, r *reply, yield func(T, error) bool) {
	dec := gob.NewDecoder(bytes.NewReader(r.Results))
	fails := r.Fails
	for i := range n {
		var v T
		var err error
		if len(fails) > 0 && fails[0].Index == i {
			switch f := fails[0]; {
			case f.Panic:
				err = &PanicError{Value: f.Err, Stack: []byte(f.Stack)}
			default:
				err = &RemoteError{Func: name, Msg: f.Err}
			}
			fails = fails[1:]
		} else if derr := dec.Decode(&v); derr != nil {
			err = fmt.Errorf("futures: decoding the result of %s: %w", name, derr)
		}
		if !yield(v, err) {
			return
		}
	}
}

// Name returns the name f was registered under.
func (f Func[A, T]) Name() string { return f.name }

// isRemote reports whether ex runs registered functions in worker
// processes: a ProcessPool, or a cluster pool.
func isRemote(ex Executor) bool { return ex.graph().remote }

// Submit schedules f(arg) on ex and returns its future: in a worker process
// for a *ProcessPool or a cluster pool (package runtime/futures/cluster),
// in-process otherwise.
func (f Func[A, T]) Submit(ex Executor, arg A, opts ...SubmitOption) (*Future[T], error) {
	if !isRemote(ex) {
		return submitNamed(ex, func(ctx context.Context) (T, error) { return f.fn(ctx, arg) }, f.name, opts)
	}
	in, err := encodeArgs(arg)
	if err != nil {
		return nil, fmt.Errorf("futures: encoding the argument of %s: %w", f.name, err)
	}
	var c submitConfig
	for _, o := range opts {
		o(&c)
	}
	return submitRemote(ex, c.name, f.name, 1, in, func(fut *Future[T], r *reply) {
		decodeResults(f.name, 1, r, func(v T, err error) bool { fut.settle(v, err); return false })
	})
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

// Chunksize sends items to a ProcessPool's or a cluster pool's workers n
// at a time, which saves round trips when the function is cheap (Python's chunksize). Other
// executors ignore it, as Python's do.
func Chunksize(n int) MapOption {
	return func(c *mapConfig) { c.chunksize = max(1, n) }
}

// Map runs f on each item on ex, like the package's Map: results in the
// order of the items, an error stops the iteration at its item, ctx bounds
// the wait, and stopping early cancels what has not started. On a
// ProcessPool or a cluster pool, items go to the workers in chunks (see
// Chunksize).
func (f Func[A, T]) Map(ctx context.Context, ex Executor, items iter.Seq[A], opts ...MapOption) iter.Seq2[T, error] {
	c := mapConfig{chunksize: 1}
	for _, o := range opts {
		o(&c)
	}
	if !isRemote(ex) {
		return Map(ctx, ex, f.fn, items)
	}
	return func(yield func(T, error) bool) {
		type chunk struct {
			n   int
			fut *Future[*reply]
		}
		var chunks []chunk
		defer func() {
			for _, ch := range chunks {
				ch.fut.Cancel()
			}
		}()
		var pending []A
		flush := func() error {
			in, err := encodeArgs(pending...)
			if err != nil {
				return fmt.Errorf("futures: encoding an argument of %s: %w", f.name, err)
			}
			fut, err := submitRemote(ex, "", f.name, len(pending), in, func(fut *Future[*reply], r *reply) { fut.settle(r, nil) })
			if err != nil {
				return err
			}
			chunks = append(chunks, chunk{len(pending), fut})
			pending = pending[:0]
			return nil
		}
		for item := range items {
			pending = append(pending, item)
			if len(pending) == c.chunksize {
				if err := flush(); err != nil {
					var zero T
					yield(zero, err)
					return
				}
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
			r, err := ch.fut.Result(ctx)
			if err != nil {
				var zero T
				yield(zero, timeoutErr(err))
				return
			}
			stop := false
			decodeResults(f.name, ch.n, r, func(v T, err error) bool {
				stop = !yield(v, err) || err != nil
				return !stop
			})
			if stop {
				return
			}
		}
	}
}

// runChunk runs a registered function on each of n arguments for a worker,
// turning errors and panics into the reply's failures.
func runChunk(ctx context.Context, fn remoteFunc, n int, args []byte) *reply {
	var out bytes.Buffer
	dec, enc := gob.NewDecoder(bytes.NewReader(args)), gob.NewEncoder(&out)
	r := &reply{}
	for i := range n {
		decodeErr, err, p := call1(ctx, fn, dec, enc)
		switch {
		case decodeErr != nil: // the stream is lost: fail the rest
			for ; i < n; i++ {
				r.Fails = append(r.Fails, failure{Index: i, Err: decodeErr.Error()})
			}
		case p != nil:
			r.Fails = append(r.Fails, *p)
			r.Fails[len(r.Fails)-1].Index = i
		case err != nil:
			r.Fails = append(r.Fails, failure{Index: i, Err: err.Error()})
		}
		if decodeErr != nil {
			break
		}
	}
	r.Results = out.Bytes()
	return r
}

func call1(ctx context.Context, fn remoteFunc, dec *gob.Decoder, enc *gob.Encoder) (decodeErr, err error, p *failure) {
	defer func() {
		if v := recover(); v != nil {
			p = &failure{Panic: true, Err: fmt.Sprint(v), Stack: string(debug.Stack())}
		}
	}()
	decodeErr, err = fn(ctx, dec, enc)
	return decodeErr, err, nil
}

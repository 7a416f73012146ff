package futures

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
)

// Executor runs submitted tasks, like Python's concurrent.futures.Executor.
// ThreadPool, ProcessPool and cluster.Pool (package
// runtime/futures/cluster) implement it; submit with Submit
// and Map, or a registered Func's Submit and Map.
type Executor interface {
	// Shutdown stops the executor taking new tasks (Submit then returns
	// ErrShutdown). With cancelFutures, tasks that have not started are
	// cancelled; the others still run. With wait, Shutdown returns when
	// every task has finished and the executor's goroutines are gone.
	//
	// Shutdown with wait called from one of the executor's own tasks
	// would wait for that task, which cannot finish while it waits: it
	// shuts the executor down without waiting and returns a
	// *DeadlockError (errors.Is ErrDeadlock) instead of hanging. It
	// returns nil otherwise.
	Shutdown(wait, cancelFutures bool) error

	// schedule queues t, or returns ErrShutdown or the broken pool's error.
	schedule(t task) error
	graph() *pool
}

// task is a submitted function with its future, as the executor sees it.
type task struct {
	job    job         // the future
	remote *remoteCall // the work for a worker process; nil for a closure
}

// job is a future as an executor drives it; *Future[T] implements it, so
// queueing a task allocates nothing more than the future.
type job interface {
	graphNode() *node
	start() bool               // marks the future running; false if it was cancelled
	runIn(ctx context.Context) // runs the function and completes the future
	cancel() bool              // cancels the future if it has not started
	fail(err error)            // fails the future, started or not (a broken pool)
}

func (f *Future[T]) graphNode() *node { return &f.node }
func (f *Future[T]) cancel() bool     { return f.Cancel() }
func (f *Future[T]) fail(err error)   { var zero T; f.settle(zero, err) }

func (f *Future[T]) runIn(ctx context.Context) {
	if !f.start() {
		return // cancelled while queued
	}
	f.tctx = taskCtx{ctx, &f.node}
	v, err := call(&f.tctx, f.fn)
	f.fn = nil // let it go
	f.settle(v, err)
}

// SubmitOption configures one submitted task.
type SubmitOption func(*submitConfig)

type submitConfig struct{ name string }

// Name names the task's future; the name appears in deadlock reports.
// By default futures are named after their executor and a number.
func Name(name string) SubmitOption { return func(c *submitConfig) { c.name = name } }

// Submit schedules fn to run on ex and returns its future, like Python's
// executor.submit. fn receives a context that identifies the task: pass it
// to Result when the task waits on another future, so that a wait that can
// never finish is reported (see DeadlockError) instead of hanging. A panic
// in fn becomes the future's error, a *PanicError. After Shutdown, Submit
// returns ErrShutdown.
func Submit[T any](ex Executor, fn func(ctx context.Context) (T, error), opts ...SubmitOption) (*Future[T], error) {
	return submitNamed(ex, fn, "", opts)
}

// submitNamed is Submit; fnName names fn in deadlock reports, which
// otherwise give its function's name.
func submitNamed[T any](ex Executor, fn func(ctx context.Context) (T, error), fnName string, opts []SubmitOption) (*Future[T], error) {
	var c submitConfig
	for _, o := range opts {
		o(&c)
	}
	f := newFuture[T](c.name, ex.graph())
	f.fn = fn
	if f.fnName = fnName; fnName == "" {
		f.fnPC = funcPC(fn)
	}
	if err := ex.schedule(task{job: f}); err != nil {
		return nil, err
	}
	return f, nil
}

func call[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// PoolOption configures a ThreadPool.
type PoolOption func(*poolConfig)

type poolConfig struct {
	maxWorkers int
	prefix     string

	maxTasks  int                             // ProcessPool only
	initName  string                          // the initializer, registered
	initLocal func(ctx context.Context) error // the initializer, in-process
	initArg   []byte
	initErr   error
}

// MaxWorkers sets how many goroutines may run tasks at once. The default,
// as in Python, is min(32, runtime.NumCPU()+4).
func MaxWorkers(n int) PoolOption { return func(c *poolConfig) { c.maxWorkers = n } }

// NamePrefix names the pool's workers (Python's thread_name_prefix): each
// worker goroutine carries the pprof labels executor=prefix and
// worker=prefix_N, which show in goroutine profiles, and the pool's futures
// are named prefix#N.
func NamePrefix(prefix string) PoolOption { return func(c *poolConfig) { c.prefix = prefix } }

var poolSeq atomic.Int64

// ThreadPool runs tasks on up to MaxWorkers goroutines, started as work
// arrives: Python's ThreadPoolExecutor. Tasks wait in an unbounded queue.
type ThreadPool struct {
	pool
	q    workQueue
	ctx  context.Context // the labelled context tasks run with
	init func(ctx context.Context) error
}

// NewThreadPool returns a thread pool; its goroutines start with the first
// tasks and end at Shutdown.
func NewThreadPool(opts ...PoolOption) *ThreadPool {
	c := poolConfig{maxWorkers: min(32, runtime.NumCPU()+4)}
	for _, o := range opts {
		o(&c)
	}
	if c.maxWorkers <= 0 {
		panic("futures: MaxWorkers must be greater than 0")
	}
	if c.maxTasks != 0 {
		panic("futures: MaxTasksPerChild applies to a ProcessPool only")
	}
	if c.prefix == "" {
		c.prefix = "ThreadPoolExecutor-" + strconv.FormatInt(poolSeq.Add(1)-1, 10)
	}
	p := &ThreadPool{
		pool: pool{name: c.prefix, max: c.maxWorkers, blocked: map[*node]bool{}},
		ctx:  context.Background(),
		init: c.initLocal,
	}
	p.q.init(c.maxWorkers, p.work)
	return p
}

// MaxWorkers reports the pool's maximum number of workers.
func (p *ThreadPool) MaxWorkers() int { return p.max }

func (p *ThreadPool) graph() *pool { return &p.pool }

func (p *ThreadPool) schedule(t task) error { return p.q.push(t) }

func (p *ThreadPool) work(i int) {
	ctx := pprof.WithLabels(p.ctx, pprof.Labels("executor", p.name, "worker", p.name+"_"+strconv.Itoa(i)))
	pprof.SetGoroutineLabels(ctx)
	if p.init != nil {
		if err := callInit(ctx, p.init); err != nil {
			// Python's BrokenThreadPool; tasks already running finish.
			p.q.breakQueue(fmt.Errorf("%w: initializer failed in worker %s_%d: %v", ErrBrokenPool, p.name, i, err))
			return
		}
	}
	slot, forget := registerWorker(&p.pool)
	defer forget()
	for {
		t, ok := p.q.pop()
		if !ok {
			return
		}
		slot.cur.Store(t.job.graphNode())
		t.job.runIn(ctx)
		slot.cur.Store(nil)
	}
}

func callInit(ctx context.Context, init func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return init(ctx)
}

// Shutdown implements Executor.
func (p *ThreadPool) Shutdown(wait, cancelFutures bool) error {
	return p.q.shutdownQueue(&p.pool, wait, cancelFutures)
}

// String names the pool.
func (p *ThreadPool) String() string {
	return fmt.Sprintf("ThreadPool(%s, max %d)", p.name, p.max)
}

package futures

import (
	"context"
	"runtime"
	"sync"
)

// The executor behind the //asyncgo:parallel markers (see docs/parallel.md):
// Python's lelo (@parallel: calling a function runs it elsewhere and
// returns at once) and python-parallelize (a for loop whose iterations run
// on several CPUs).

var parallelEx struct {
	sync.Mutex
	set Executor    // SetParallelExecutor's, or nil
	def *ThreadPool // made on first use
}

// ParallelExecutor returns the executor that Parallel, a registered
// Func's Parallel and the parallel loops (ParallelSlice, ParallelMap,
// ParallelInt, ParallelChan, given a nil executor) submit to: the one
// given to SetParallelExecutor, or else the package's default, a
// ThreadPool of runtime.GOMAXPROCS(0) workers named "asyncgo-parallel",
// started on first use and never shut down (its idle workers wait for
// work for the life of the program).
func ParallelExecutor() Executor {
	parallelEx.Lock()
	defer parallelEx.Unlock()
	if parallelEx.set != nil {
		return parallelEx.set
	}
	return defaultParallelLocked()
}

func defaultParallelLocked() *ThreadPool {
	if parallelEx.def == nil {
		parallelEx.def = NewThreadPool(MaxWorkers(runtime.GOMAXPROCS(0)), NamePrefix("asyncgo-parallel"))
	}
	return parallelEx.def
}

// SetParallelExecutor makes ex the executor of the parallel markers and
// returns the one set before (nil for the default); nil restores the
// default. A ProcessPool (or a cluster pool) runs the registered
// functions that the rewriter makes of //asyncgo:parallel functions in
// its worker processes; closures cannot leave the process, so Parallel
// and the parallel loops then run on the default thread pool.
func SetParallelExecutor(ex Executor) Executor {
	parallelEx.Lock()
	defer parallelEx.Unlock()
	old := parallelEx.set
	parallelEx.set = ex
	return old
}

// inProcess is ex if it runs closures, else the default thread pool; nil
// means ParallelExecutor().
func inProcess(ex Executor) Executor {
	if ex == nil {
		ex = ParallelExecutor()
	}
	if !isRemote(ex) {
		return ex
	}
	parallelEx.Lock()
	defer parallelEx.Unlock()
	return defaultParallelLocked()
}

// Parallel submits fn to the parallel executor and returns its future at
// once (lelo's @parallel). It is the body of an //asyncgo:parallel
// function as written:
//
//	//asyncgo:parallel
//	func Fib(n int) *futures.Future[int] {
//		return futures.Parallel(func(ctx context.Context) (int, error) {
//			return fib(n), nil
//		})
//	}
//
// In direct mode the closure runs on ParallelExecutor() (on the default
// thread pool if that is a process pool); the rewriter turns the function
// into a registered Func whose Parallel method can also run it in a
// worker process. If the executor refuses the task (shut down, broken),
// the future returned has failed with that error: Parallel never fails
// in the caller, as calling a function cannot.
func Parallel[R any](fn func(ctx context.Context) (R, error)) *Future[R] {
	f, err := Submit(inProcess(nil), fn)
	if err != nil {
		return failedFuture[R](err)
	}
	return f
}

// Parallel submits f(arg) to ParallelExecutor(), in a worker process if
// that is a ProcessPool, and returns its future at once, failed with the
// executor's error if it refuses the task. The rewriter lowers an
// //asyncgo:parallel function into a call of this method.
func (f Func[A, T]) Parallel(arg A) *Future[T] {
	fut, err := f.Submit(ParallelExecutor(), arg)
	if err != nil {
		return failedFuture[T](err)
	}
	return fut
}

// failedFuture is a future already failed with err.
func failedFuture[T any](err error) *Future[T] {
	f := newFuture[T]("parallel", nil)
	var zero T
	f.settle(zero, err)
	return f
}

// Package futures runs functions on executors and hands back their results
// as futures, like Python's concurrent.futures, in Go's idiom: errors are
// values, waits take a context.Context, and the iterators are iter.Seq2.
//
// A ThreadPool runs closures on goroutines; a ProcessPool runs registered
// functions (see Register) in worker processes started from the program's
// own binary. Submit returns a *Future; Map yields results in input order;
// Wait and AsCompleted watch several futures at once.
//
// Parallel and the parallel loops (ParallelSlice, ParallelMap, ParallelInt,
// ParallelChan) are what //asyncgo:parallel functions and loops run on
// (Python's lelo and python-parallelize): a call that returns its future
// at once, and a range loop whose work runs on ParallelExecutor while its
// body receives the results in order. See docs/parallel.md.
//
// Package runtime/futures/cluster adds an Executor that runs registered
// functions on worker processes on any machine, through NATS JetStream
// (cluster.NewPool; see docs/cluster.md). It is a package of its own so
// that only the programs that use it link NATS; WorkerMain serves its
// workers when it is linked in.
//
// Going beyond Python, which hangs, a task that waits on a future that can
// never finish gets ErrDeadlock instead: tasks that wait on each other, a
// task that waits on itself, and a task that submits to its own bounded
// pool and waits while every worker is busy waiting. A task finds these
// whichever context it waits with (ResultTimeout too), and Shutdown with
// wait called from the pool's own task fails instead of waiting for
// itself. See DeadlockError.
//
// ErrTimeout and ErrCancelled match package aio's errors of the same name,
// and context.DeadlineExceeded and context.Canceled, with errors.Is.
package futures

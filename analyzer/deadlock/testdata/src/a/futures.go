package a

import (
	"context"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// The seeds' wait_on_a / wait_on_b: two tasks each waiting on the other's
// future, kept in package variables.
var (
	executor = futures.NewThreadPool(futures.MaxWorkers(2))
	fa, fb   *futures.Future[int]
)

func waitForA(ctx context.Context) (int, error) {
	return fb.Result(ctx) // want `wait-for cycle: waitForA \(producing fa\) waits on fb, while waitForB \(producing fb\) waits on fa: once all have started, each waits forever for the next`
}

func waitForB(ctx context.Context) (int, error) {
	return fa.Result(ctx)
}

func seed() {
	fa, _ = futures.Submit(executor, waitForA)
	fb, _ = futures.Submit(executor, waitForB)
}

// A longer cycle through closures and a helper.
func three(ex futures.Executor) {
	var x, y, z *futures.Future[string]
	x, _ = futures.Submit(ex, func(ctx context.Context) (string, error) {
		return y.Result(ctx) // want `wait-for cycle: the function literal at line 33 \(producing x\) waits on y, while the function literal at line 36 \(producing y\) waits on z, and the function literal at line 37 \(producing z\) waits on x`
	})
	y, _ = futures.Submit(ex, func(ctx context.Context) (string, error) { return waitZ(ctx, z) })
	z, _ = futures.Submit(ex, func(ctx context.Context) (string, error) {
		return "", x.Exception(ctx)
	})
}

func waitZ(ctx context.Context, z *futures.Future[string]) (string, error) { return z.Result(ctx) }

// A task waiting on its own future.
func self(ex futures.Executor) {
	var f *futures.Future[int]
	f, _ = futures.Submit(ex, func(ctx context.Context) (int, error) {
		return f.Result(ctx) // want `the function literal at line 47 waits on f, the future of the very future it runs in \(created at line 47\): it can only finish after it has finished, so it waits forever`
	})
}

// Submit-and-wait inside a task of the same pool.
var single = futures.NewThreadPool(futures.MaxWorkers(1))

func nestedOne() {
	futures.Submit(single, func(ctx context.Context) (int, error) {
		inner, err := futures.Submit(single, func(context.Context) (int, error) { return 8, nil })
		if err != nil {
			return 0, err
		}
		return inner.Result(ctx) // want `inner.Result waits inside a task of the same pool: certain deadlock: single has one worker, which runs the function literal at line 56`
	})
}

var pool10 = futures.NewThreadPool(futures.MaxWorkers(10))

// The seed: wait_for_future submitted to a pool of 10.
func waitForFuture(ctx context.Context) (int, error) {
	f, _ := futures.Submit(pool10, func(context.Context) (int, error) { return 8, nil })
	return f.Result(ctx) // want `f.Result waits inside a task of the same pool: possible deadlock: when 10 tasks like waitForFuture occupy all 10 workers of pool10`
}

func seed2() { futures.Submit(pool10, waitForFuture) }

func unknownSize(p *futures.ThreadPool) {
	futures.Submit(p, func(ctx context.Context) (int, error) {
		for range futures.Map(ctx, p, func(_ context.Context, i int) (int, error) { return i, nil }, slices.Values([]int{1, 2})) { // want `futures.Map waits inside a task of the same pool: possible deadlock: when tasks like the function literal at line 76 occupy every worker of p`
		}
		return 0, nil
	})
}

// Shutdown(wait) from one of the pool's own tasks.
func shutdownInside(p *futures.ThreadPool) {
	futures.Submit(p, func(context.Context) (int, error) {
		stop(p)
		return 0, nil
	})
}

func stop(p *futures.ThreadPool) {
	p.Shutdown(true, false) // want `p.Shutdown \(through stop, line 86\) with wait, inside a task of p: Shutdown waits for every running task to finish, including this one`
}

var procs, _ = futures.NewProcessPool(futures.MaxWorkers(4))

func shutdownPkg() {
	futures.Submit(procs, func(context.Context) (int, error) {
		procs.Shutdown(true, true) // want `procs.Shutdown with wait, inside a task of procs`
		return 0, nil
	})
}

// Bounded waits: the cycle ends in timeouts.
var t1, t2 *futures.Future[int]

func timeouts(p *futures.ThreadPool) {
	t1, _ = futures.Submit(p, func(context.Context) (int, error) {
		return t2.ResultTimeout(1e9) // want `wait-for cycle: .* each waits until its timeout expires for the next`
	})
	t2, _ = futures.Submit(p, func(context.Context) (int, error) {
		return t1.ResultTimeout(1e9)
	})
	futures.Submit(single, func(context.Context) (int, error) {
		f, _ := futures.Submit(single, func(context.Context) (int, error) { return 1, nil })
		return f.ResultTimeout(1e9) // want `certain deadlock: single has one worker.* \(until the wait times out\)`
	})
}

// --- safe look-alikes ---

// Waiting on a future of another pool.
var other = futures.NewThreadPool(futures.MaxWorkers(1))

func otherPool() {
	futures.Submit(single, func(ctx context.Context) (int, error) {
		f, _ := futures.Submit(other, func(context.Context) (int, error) { return 1, nil })
		return f.Result(ctx)
	})
}

// Shutdown without waiting from a worker.
func shutdownNoWait() {
	futures.Submit(procs, func(context.Context) (int, error) {
		procs.Shutdown(false, true)
		return 0, nil
	})
}

// One-directional waits: no cycle.
var g1, g2 *futures.Future[int]

func chain() {
	g1, _ = futures.Submit(executor, func(context.Context) (int, error) { return 1, nil })
	g2, _ = futures.Submit(executor, func(ctx context.Context) (int, error) { return g1.Result(ctx) })
}

// Waiting from outside any task.
func mainWaits(ctx context.Context) {
	f, _ := futures.Submit(single, func(context.Context) (int, error) { return 1, nil })
	f.Result(ctx)
	single.Shutdown(true, false)
}

// A goroutine started by the task waits, not the task itself.
func goroutineWaits() {
	futures.Submit(single, func(ctx context.Context) (int, error) {
		inner, _ := futures.Submit(single, func(context.Context) (int, error) { return 8, nil })
		go func() { inner.Result(ctx) }()
		return 0, nil
	})
}

// Several futures in one variable: not one producer, no cycle claimed.
var many *futures.Future[int]

func manyProducers() {
	for i := 0; i < 2; i++ {
		many, _ = futures.Submit(executor, func(ctx context.Context) (int, error) { return many.Result(ctx) })
	}
	many, _ = futures.Submit(executor, func(context.Context) (int, error) { return 0, nil })
}

// futures.Wait with AllCompleted waits on every future listed.
var w1, w2, w3 *futures.Future[int]

func waitAll(p *futures.ThreadPool) {
	w1, _ = futures.Submit(p, func(ctx context.Context) (int, error) {
		futures.Wait(ctx, []*futures.Future[int]{w3, w2}, futures.AllCompleted) // want `wait-for cycle: the function literal at line 178 \(producing w1\) waits on w2, while the function literal at line 182 \(producing w2\) waits on w1`
		return 0, nil
	})
	w2, _ = futures.Submit(p, func(ctx context.Context) (int, error) { return w1.Result(ctx) })
	w3, _ = futures.Submit(p, func(context.Context) (int, error) { return 0, nil })
}

// FirstCompleted returns as soon as w3-like futures finish: not a cycle.
var v1, v2, v3 *futures.Future[int]

func waitFirst(p *futures.ThreadPool) {
	v1, _ = futures.Submit(p, func(ctx context.Context) (int, error) {
		futures.Wait(ctx, []*futures.Future[int]{v3, v2}, futures.FirstCompleted)
		return 0, nil
	})
	v2, _ = futures.Submit(p, func(ctx context.Context) (int, error) { return v1.Result(ctx) })
	v3, _ = futures.Submit(p, func(context.Context) (int, error) { return 0, nil })
}

package a

import (
	"context"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

var ctx = context.Background()

// The seeds' wait_on_a / wait_on_b: two tasks each waiting on the other's
// future, kept in package variables.
var (
	executor = futures.NewThreadPool(futures.MaxWorkers(2))
	fa, fb   *futures.Future[int]
)

func waitForA() (int, error) {
	return fb.Result(ctx) // want `wait-for cycle: waitForA \(producing fa\) waits on fb, while waitForB \(producing fb\) waits on fa: once all have started, each waits forever for the next`
}

func waitForB() (int, error) {
	return fa.Result(ctx)
}

func seed() {
	fa = futures.Submit(executor, waitForA)
	fb = futures.Submit(executor, waitForB)
}

// A longer cycle through closures and a helper.
func three(ex futures.Executor) {
	var x, y, z *futures.Future[string]
	x = futures.Submit(ex, func() (string, error) {
		return y.Result(ctx) // want `wait-for cycle: the function literal at line 34 \(producing x\) waits on y, while .* \(producing y\) waits on z, and .* \(producing z\) waits on x`
	})
	y = futures.Submit(ex, func() (string, error) { return waitZ(z) })
	z = futures.Submit(ex, func() (string, error) {
		_, err := x.Exception(ctx), error(nil)
		return "", err
	})
}

func waitZ(z *futures.Future[string]) (string, error) { return z.Result(ctx) }

// A task waiting on its own future.
func self(ex futures.Executor) {
	var f *futures.Future[int]
	f = futures.Submit(ex, func() (int, error) {
		return f.Result(ctx) // want `the function literal at line 49 waits on f, the future of the very future it runs in \(created at line 49\)`
	})
}

// Submit-and-wait inside a task of the same pool.
var single = futures.NewThreadPool(futures.MaxWorkers(1))

func nestedOne() {
	futures.Submit(single, func() (int, error) {
		inner := futures.Submit(single, func() (int, error) { return 8, nil })
		return inner.Result(ctx) // want `inner.Result waits inside a task of the same pool: certain deadlock: single has one worker`
	})
}

var pool10 = futures.NewThreadPool(futures.MaxWorkers(10))

// The seed: wait_for_future submitted to a pool of 10.
func waitForFuture() (int, error) {
	return futures.Submit(pool10, func() (int, error) { return 8, nil }).Result(ctx) // want `Submit\(...\).Result waits inside a task of the same pool: possible deadlock: when 10 tasks like waitForFuture occupy all 10 workers of pool10`
}

func seed2() { futures.Submit(pool10, waitForFuture) }

func unknownSize(p *futures.ThreadPool) {
	futures.Submit(p, func() (int, error) {
		for range futures.Map(p, func(i int) (int, error) { return i, nil }, []int{1, 2}) { // want `futures.Map waits inside a task of the same pool: possible deadlock: when tasks like the function literal at line 74 occupy every worker of p`
		}
		return 0, nil
	})
}

// Shutdown(wait) from one of the pool's own tasks.
func shutdownInside(p *futures.ThreadPool) {
	futures.Submit(p, func() (int, error) {
		return 0, stop(p)
	})
}

func stop(p *futures.ThreadPool) error {
	return p.Shutdown(true) // want `p.Shutdown \(through stop, line 84\) with wait, inside a task of p`
}

var procs = futures.NewProcessPool(4)

func shutdownPkg() {
	futures.Submit(procs, func() (int, error) {
		return 0, procs.Shutdown(true) // want `procs.Shutdown with wait, inside a task of procs: Shutdown waits for every running task to finish, including this one`
	})
}

// --- safe look-alikes ---

// Waiting on a future of another pool is fine when that pool is not full
// of waiters.
var other = futures.NewThreadPool(futures.MaxWorkers(1))

func otherPool() {
	futures.Submit(single, func() (int, error) {
		return futures.Submit(other, func() (int, error) { return 1, nil }).Result(ctx)
	})
}

// Shutdown without waiting from a worker.
func shutdownNoWait() {
	futures.Submit(procs, func() (int, error) {
		return 0, procs.Shutdown(false)
	})
}

// One-directional waits: no cycle.
var g1, g2 *futures.Future[int]

func chain() {
	g1 = futures.Submit(executor, func() (int, error) { return 1, nil })
	g2 = futures.Submit(executor, func() (int, error) { return g1.Result(ctx) })
}

// Waiting from outside any task.
func mainWaits() {
	f := futures.Submit(single, func() (int, error) { return 1, nil })
	f.Result(ctx)
	single.Shutdown(true)
}

// A goroutine started by the task waits, not the task itself.
func goroutineWaits() {
	futures.Submit(single, func() (int, error) {
		inner := futures.Submit(single, func() (int, error) { return 8, nil })
		go func() { inner.Result(ctx) }()
		return 0, nil
	})
}

// A method spelling that also returns an error.
var m1, m2 *futures.Future[int]

func methodSpelling(p *futures.ThreadPool) {
	m1, _ = p.SubmitErr(func() (int, error) {
		return m2.Result(ctx) // want `wait-for cycle: the function literal at line 147 \(producing m1\) waits on m2`
	})
	m2, _ = p.SubmitErr(func() (int, error) {
		return m1.Result(ctx)
	})
}

// Bounded waits: the cycle ends in timeouts.
var t1, t2 *futures.Future[int]

func timeouts(p *futures.ThreadPool) {
	t1 = futures.Submit(p, func() (int, error) {
		return t2.ResultTimeout(1e9) // want `wait-for cycle: .* each waits until its timeout expires for the next`
	})
	t2 = futures.Submit(p, func() (int, error) {
		return t1.ResultTimeout(1e9)
	})
	futures.Submit(single, func() (int, error) {
		return futures.Submit(single, func() (int, error) { return 1, nil }).ResultTimeout(1e9) // want `certain deadlock: single has one worker.* \(until the wait times out\)`
	})
}

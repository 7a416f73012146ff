package futures_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

func ExampleSubmit() {
	pool := futures.NewThreadPool(futures.MaxWorkers(4))
	defer pool.Shutdown(true, false)

	f, err := futures.Submit(pool, func(ctx context.Context) (string, error) {
		return "hello from a worker", nil
	})
	if err != nil {
		panic(err)
	}
	v, err := f.ResultTimeout(time.Second)
	fmt.Println(v, err)
	// Output: hello from a worker <nil>
}

func ExampleMap() {
	pool := futures.NewThreadPool()
	defer pool.Shutdown(true, false)

	square := func(_ context.Context, n int) (int, error) { return n * n, nil }
	for v, err := range futures.Map(context.Background(), pool, square, slices.Values([]int{1, 2, 3, 4})) {
		if err != nil {
			panic(err)
		}
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: 1 4 9 16
}

func ExampleAsCompleted() {
	pool := futures.NewThreadPool()
	defer pool.Shutdown(true, false)

	var fs []*futures.Future[time.Duration]
	for _, d := range []time.Duration{100, 10, 50} {
		f, _ := futures.Submit(pool, func(context.Context) (time.Duration, error) {
			time.Sleep(d * time.Millisecond)
			return d, nil
		})
		fs = append(fs, f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for f, err := range futures.AsCompleted(ctx, fs) {
		if err != nil {
			panic(err) // futures.ErrTimeout when ctx's deadline passes first
		}
		v, _ := f.Result(ctx)
		fmt.Println(v)
	}
	// Output:
	// 10ns
	// 50ns
	// 100ns
}

func ExampleWait() {
	pool := futures.NewThreadPool()
	defer pool.Shutdown(true, false)

	fail, _ := futures.Submit(pool, func(context.Context) (int, error) { return 0, errors.New("no") })
	slow, _ := futures.Submit(pool, func(context.Context) (int, error) { time.Sleep(50 * time.Millisecond); return 1, nil })
	done, notDone := futures.Wait(context.Background(), []*futures.Future[int]{fail, slow}, futures.FirstException)
	fmt.Println(len(done), len(notDone))
	// Output: 1 1
}

// The seeds' deadlock, from Python's documentation: two tasks wait on each
// other's futures. Python hangs; here the wait that would close the cycle
// fails with ErrDeadlock, naming both futures.
func ExampleDeadlockError() {
	pool := futures.NewThreadPool(futures.MaxWorkers(2))
	defer pool.Shutdown(true, false)

	start := make(chan struct{})
	var a, b *futures.Future[int]
	a, _ = futures.Submit(pool, func(ctx context.Context) (int, error) {
		<-start
		return b.Result(ctx) // pass the task's ctx: that is how the waiter is known
	}, futures.Name("wait_on_b"))
	b, _ = futures.Submit(pool, func(ctx context.Context) (int, error) {
		<-start
		return a.Result(ctx)
	}, futures.Name("wait_on_a"))
	close(start)

	_, err := a.Result(context.Background())
	fmt.Println(errors.Is(err, futures.ErrDeadlock))
	// Output: true
}

// A registered function runs in worker processes of a ProcessPool (the
// program calls futures.WorkerMain first thing in main; this package's
// TestMain does).
func ExampleRegister() {
	pool, err := futures.NewProcessPool(futures.MaxWorkers(2))
	if err != nil {
		panic(err)
	}
	defer pool.Shutdown(true, false)

	ctx := context.Background()
	for v, err := range gcdFunc.Map(ctx, pool, slices.Values([][2]int{{12, 18}, {35, 49}}), futures.Chunksize(2)) {
		fmt.Println(v, err)
	}
	// Output:
	// 6 <nil>
	// 7 <nil>
}

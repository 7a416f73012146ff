package futures_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// A parallel loop: the work (Atoi) runs on the pool's workers; the loop
// body receives the results in the slice's order and stops at the first
// error, which cancels the work not started.
func ExampleParallelSlice() {
	pool := futures.NewThreadPool(futures.MaxWorkers(2))
	defer pool.Shutdown(true, false)

	sum := func(in []string) (int, error) {
		total := 0
		for i, n := range futures.ParallelSlice(pool, in, func(_ int, s string) (r struct {
			n   int
			err error
		}) {
			r.n, r.err = strconv.Atoi(s)
			return
		}) {
			if n.err != nil {
				return total, fmt.Errorf("item %d: %w", i, n.err)
			}
			total += n.n
		}
		return total, nil
	}
	fmt.Println(sum([]string{"1", "2", "3"}))
	_, err := sum([]string{"1", "x", "3", "y"})
	fmt.Println(err, errors.Is(err, strconv.ErrSyntax))
	// Output:
	// 6 <nil>
	// item 1: strconv.Atoi: parsing "x": invalid syntax true
}

// Parallel returns at once; the future holds the result (lelo's
// @parallel, without the proxy: Result waits).
func ExampleParallel() {
	pool := futures.NewThreadPool(futures.MaxWorkers(2))
	defer pool.Shutdown(true, false)
	defer futures.SetParallelExecutor(futures.SetParallelExecutor(pool))

	fib := func(n int) *futures.Future[int] {
		return futures.Parallel(func(ctx context.Context) (int, error) {
			a, b := 0, 1
			for range n {
				a, b = b, a+b
			}
			return a, nil
		})
	}
	f30, f40 := fib(30), fib(40) // both run while main goes on
	v30, _ := f30.Result(context.Background())
	v40, _ := f40.Result(context.Background())
	fmt.Println(v30, v40)
	// Output: 832040 102334155
}

// Command gcd ports the seeds' concurrent.futures tour: the greatest common
// divisors of ten pairs computed with map, submit, as_completed and wait,
// on a thread pool and on a process pool.
//
// Its output matches testdata/gcd.py run by CPython line for line.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

var numbers = [][2]int{
	{1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928},
	{2293129, 1020491}, {1281238, 2273782}, {3823812, 4237281}, {3812741, 4729139}, {1292391, 2123811},
}

// gcd is the seeds' recursive Euclid, registered so that worker processes
// can run it.
var gcd = futures.Register("gcd", func(_ context.Context, pair [2]int) (int, error) {
	return euclid(pair[0], pair[1]), nil
})

func euclid(a, b int) int {
	if max(a, b)%min(a, b) == 0 {
		return min(a, b)
	}
	return euclid(b, a%b)
}

func main() {
	futures.WorkerMain() // worker processes of the pool serve here
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	threads := futures.NewThreadPool(futures.MaxWorkers(2))
	defer threads.Shutdown(true, false)
	procs, err := futures.NewProcessPool(futures.MaxWorkers(2))
	if err != nil {
		return err
	}
	defer procs.Shutdown(true, false)

	for _, ex := range []struct {
		name string
		pool futures.Executor
	}{{"ThreadPoolExecutor", threads}, {"ProcessPoolExecutor", procs}} {
		// map: results in the order of the input.
		var results []int
		for v, err := range gcd.Map(ctx, ex.pool, slices.Values(numbers)) {
			if err != nil {
				return err
			}
			results = append(results, v)
		}
		fmt.Fprintf(w, "%s map results: %v\n", ex.name, results)

		// submit: one future per pair, results read in submission order.
		var fs []*futures.Future[int]
		for _, pair := range numbers {
			f, err := gcd.Submit(ex.pool, pair)
			if err != nil {
				return err
			}
			fs = append(fs, f)
		}
		results = results[:0]
		for _, f := range fs {
			v, err := f.Result(ctx)
			if err != nil {
				return err
			}
			results = append(results, v)
		}
		fmt.Fprintf(w, "%s submit results: %v\n", ex.name, results)

		// as_completed: futures in the order they finish, so sort to print.
		results = results[:0]
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		for f, err := range futures.AsCompleted(tctx, fs) {
			if err != nil {
				cancel()
				return err
			}
			v, _ := f.Result(ctx)
			results = append(results, v)
			fmt.Fprintf(w, "running: %v, done: %v\n", f.Running(), f.Done())
		}
		cancel()
		slices.Sort(results)
		fmt.Fprintf(w, "%s as_completed results (sorted): %v\n", ex.name, results)

		// wait: done and not-done sets.
		tctx, cancel = context.WithTimeout(ctx, 2*time.Second)
		done, notDone := futures.Wait(tctx, fs, futures.AllCompleted)
		cancel()
		fmt.Fprintf(w, "%s wait ALL_COMPLETED: %d done, %d not done\n", ex.name, len(done), len(notDone))
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// Fib is computed on the parallel executor.
//
//asyncgo:parallel
func Fib(n int) *futures.Future[int] {
	return futures.Parallel(func(ctx context.Context) (int, error) {
		if n < 0 {
			return 0, errors.New("negative")
		}
		a, b := 0, 1
		for range n {
			a, b = b, a+b
		}
		return a, nil
	})
}

// Join has a blank, a variadic parameter and named results; its literal's
// parameter shadows one of its own.
//
//asyncgo:parallel
func Join(ctx string, _ int, parts ...string) *futures.Future[string] {
	return futures.Parallel(func(ctx context.Context) (s string, err error) {
		s = strings.Join(parts, "+")
		return
	})
}

// Lengths runs a parallel loop inside a parallel function.
//
//asyncgo:parallel
func Lengths(words []string) *futures.Future[[]int] {
	return futures.Parallel(func(context.Context) ([]int, error) {
		var out []int
		//asyncgo:parallel
		for _, w := range words {
			n := len(w)
			out = append(out, n)
		}
		return out, nil
	})
}

// Explode panics.
//
//asyncgo:parallel
func Explode() *futures.Future[int] {
	return futures.Parallel(func(context.Context) (int, error) {
		panic("kaboom")
	})
}

func show[T any](f *futures.Future[T]) string {
	v, err := f.Result(context.Background())
	var pe *futures.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("panic(%v)", pe.Value)
	}
	return fmt.Sprint(v, " ", err)
}

var _ = register("funcs", func(t *trace) {
	f10, f20, bad := Fib(10), Fib(20), Fib(-1) // all submitted before any is awaited
	t.log("%s / %s / %s", show(f10), show(f20), show(bad))
	t.log("%s", show(Join("ignored", 7, "a", "b", "c")))
	t.log("%s", show(Lengths([]string{"x", "yy", "zzz"})))
	t.log("%s", show(Explode()))
})

// On a process pool, the lowered functions run in worker processes; in
// direct mode their closures run in-process. The results are the same.
var _ = register("processpool", func(t *trace) {
	pool, err := futures.NewProcessPool(futures.MaxWorkers(2))
	if err != nil {
		t.log("no pool: %v", err)
		return
	}
	defer pool.Shutdown(true, false)
	old := futures.SetParallelExecutor(pool)
	defer futures.SetParallelExecutor(old)
	t.log("%s / %s", show(Fib(30)), show(Join("", 0, "x", "y")))
	// An error's value stays in the worker process: its message comes
	// back, in a *futures.RemoteError naming the function.
	_, err = Fib(-1).Result(context.Background())
	msg := fmt.Sprint(err)
	var re *futures.RemoteError
	if errors.As(err, &re) {
		msg = re.Msg
	}
	t.log("failed with %q", msg)
})

// Pair's literal names a result like one of Pair's parameters.
//
//asyncgo:parallel
func Pair(a, s string) *futures.Future[string] {
	return futures.Parallel(func(context.Context) (s string, err error) {
		s = a + a
		return s, nil
	})
}

var _ = register("shadowfunc", func(t *trace) { t.log("%s", show(Pair("ab", "ignored"))) })

// Submit in the work, wait in the body: the futures run on the workers
// the loop's runners give back once they are ahead of the body.
var _ = register("submitinwork", func(t *trace) {
	var out []int
	//asyncgo:parallel
	for n := range 24 {
		f := Fib(n)
		v, err := f.Result(context.Background())
		if err != nil {
			t.log("error %v", err)
			return
		}
		out = append(out, v)
	}
	t.log("%v", out)
})

package coro_test

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// The seeds' running average: a generator that is sent numbers and yields
// the average so far.
func Example() {
	averager := coro.New(func(co *coro.Co[float64, float64]) struct{} {
		var total, avg float64
		for n := 1; ; n++ {
			total += co.Yield(avg)
			avg = total / float64(n)
		}
	})
	defer averager.Close()

	averager.Next() // prime it: run to the first yield
	for _, v := range []float64{10, 30, 5} {
		avg, _ := averager.Send(v)
		fmt.Println(avg)
	}
	// Output:
	// 10
	// 20
	// 15
}

func ExampleGenerator_All() {
	fib := coro.New(func(co *coro.Co[int, struct{}]) struct{} {
		a, b := 0, 1
		for {
			co.Yield(a)
			a, b = b, a+b
		}
	})
	defer fib.Close()
	for n := range fib.All() {
		if n > 50 {
			break
		}
		fmt.Print(n, " ")
	}
	fmt.Println()
	// Output: 0 1 1 2 3 5 8 13 21 34
}

func ExampleGenerator_Result() {
	g := coro.New(func(co *coro.Co[string, struct{}]) int {
		co.Yield("working")
		return 42
	})
	for {
		if _, err := g.Next(); errors.Is(err, coro.ErrStopIteration) {
			break
		}
	}
	r, ok := g.Result()
	fmt.Println(r, ok)
	// Output: 42 true
}

func ExampleGenerator_Throw() {
	g := coro.New(func(co *coro.Co[string, struct{}]) struct{} {
		for {
			if _, err := co.YieldErr("ready"); err != nil {
				co.Yield("handled: " + err.Error())
			}
		}
	})
	defer g.Close()
	g.Next()
	y, _ := g.Throw(errors.New("bad input"))
	fmt.Println(y)
	// Output: handled: bad input
}

func ExampleGenerator_Close() {
	g := coro.New(func(co *coro.Co[int, struct{}]) struct{} {
		defer fmt.Println("cleaning up")
		for i := 0; ; i++ {
			co.Yield(i)
		}
	})
	g.Next()
	fmt.Println(g.Close(), g.State())
	// Output:
	// cleaning up
	// <nil> closed
}

// YieldFrom delegates to a sub-generator and gets its return value.
func ExampleYieldFrom() {
	averager := func() *coro.Generator[struct{}, *float64, float64] {
		return coro.New(func(co *coro.Co[struct{}, *float64]) float64 {
			var total float64
			n := 0
			for {
				term := co.Yield(struct{}{})
				if term == nil { // the seeds send None to stop
					return total / float64(n)
				}
				total += *term
				n++
			}
		})
	}
	results := map[string]float64{}
	grouper := coro.New(func(co *coro.Co[struct{}, *float64]) struct{} {
		for {
			results["kg"] = coro.YieldFrom(co, averager())
		}
	})
	defer grouper.Close()
	grouper.Next()
	for _, v := range []float64{40.9, 38.5, 44.3} {
		grouper.Send(&v)
	}
	grouper.Send(nil)
	fmt.Printf("%.2f\n", results["kg"])
	// Output: 41.23
}

// With runs a block inside a one-yield generator, as Python's
// @contextmanager does.
func ExampleWith() {
	tag := func(name string) *coro.Generator[string, struct{}, struct{}] {
		return coro.New(func(co *coro.Co[string, struct{}]) struct{} {
			fmt.Printf("<%s>\n", name)
			defer fmt.Printf("</%s>\n", name)
			co.Yield(name)
			return struct{}{}
		})
	}
	coro.With(tag("h1"), func(name string) error {
		fmt.Println("  inside", name)
		return nil
	})
	// Output:
	// <h1>
	//   inside h1
	// </h1>
}

func ExampleExitStack() {
	var stack coro.ExitStack
	for _, name := range []string{"a", "b", "c"} {
		fmt.Println("open", name)
		stack.Callback(func() error {
			fmt.Println("close", name)
			return nil
		})
	}
	stack.Close()
	// Output:
	// open a
	// open b
	// open c
	// close c
	// close b
	// close a
}

func ExamplePrime() {
	echo, _ := coro.Prime(coro.New(func(co *coro.Co[string, string]) struct{} {
		s := ""
		for {
			s = co.Yield("echo: " + s)
		}
	}))
	defer echo.Close()
	y, _ := echo.Send("hi")
	fmt.Println(y)
	// Output: echo: hi
}

// Closing a delegating generator closes its sub-generator first; if the
// sub's clean-up fails, the delegator can handle that error where it
// delegated and return, and then Close succeeds (PEP 380).
func ExampleYieldFromErr_close() {
	errFlush := errors.New("flush failed")
	writer := coro.New(func(co *coro.Co[int, int]) int {
		defer func() {
			recover() // the GeneratorExit
			co.Raise(errFlush)
		}()
		for {
			co.Yield(0)
		}
	})
	g := coro.New(func(co *coro.Co[int, int]) string {
		if _, err := coro.YieldFromErr(co, writer); err != nil {
			fmt.Println("delegator caught:", err)
			return "recovered"
		}
		return "done"
	})
	g.Next()
	fmt.Println(g.Close(), g.State())
	fmt.Println(g.Result())
	// Output:
	// delegator caught: flush failed
	// <nil> closed
	// recovered true
}

// A generator that yields while it is being closed ignores the close, as
// Python's does: Close reports it and the generator stays suspended.
func ExampleGenerator_Close_ignored() {
	g := coro.New(func(co *coro.Co[string, struct{}]) struct{} {
		defer func() {
			recover()
			co.Yield("not yet")
		}()
		co.Yield("working")
		return struct{}{}
	})
	g.Next()
	fmt.Println(g.Close(), g.State())
	fmt.Println(g.Close(), g.State())
	// Output:
	// coro: generator ignored GeneratorExit suspended
	// <nil> closed
}

// Throw(nil) throws nothing: it is an error and leaves the generator as it
// was.
func ExampleGenerator_Throw_nil() {
	g := coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		co.Yield(2)
		return 0
	})
	defer g.Close()
	g.Next()
	_, err := g.Throw(nil)
	fmt.Println(err == coro.ErrThrowNil, g.State())
	fmt.Println(g.Next())
	// Output:
	// true suspended
	// 2 <nil>
}

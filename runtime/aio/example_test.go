package aio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// virtual is the option the examples run with: a virtual clock, so that
// their sleeps take no time and their output is always the same.
var virtual = aio.WithVirtualClock(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))

// say is an async function: calling it makes a coroutine object and runs
// nothing.
func say(msg string, d time.Duration) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		if err := aio.Sleep(t, d); err != nil {
			return "", err
		}
		fmt.Println(msg)
		return msg, nil
	})
}

func ExampleRun() {
	main := aio.Async(func(t *aio.Task) (int, error) {
		// Awaiting a coroutine runs it inside this task.
		if _, err := aio.Await(t, say("hello", time.Second)); err != nil {
			return 0, err
		}
		return 42, nil
	})
	v, err := aio.Run(main, virtual)
	fmt.Println(v, err)
	// Output:
	// hello
	// 42 <nil>
}

func ExampleCreateTask() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		// Tasks run concurrently: both sleeps overlap.
		start := t.Loop().Now()
		a := aio.CreateTask(t, say("world", 2*time.Second))
		b := aio.CreateTask(t, say("hello", time.Second), aio.Name("greeter"))
		fmt.Println(b.Name(), b.Done())
		aio.Await(t, a)
		aio.Await(t, b)
		fmt.Println(t.Loop().Now().Sub(start))
		return struct{}{}, nil
	}), virtual)
	// Output:
	// greeter false
	// hello
	// world
	// 2s
}

func ExampleHandle_Cancel() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			defer fmt.Println("cleaning up")
			err := aio.Sleep(t, time.Hour) // cancelled here
			fmt.Println("sleep:", err)
			return 0, err
		}))
		aio.Sleep(t, time.Second)
		h.Cancel()
		_, err := aio.Await(t, h)
		fmt.Println(errors.Is(err, aio.ErrCancelled), h.Cancelled())
		return struct{}{}, nil
	}), virtual)
	// Output:
	// sleep: aio: cancelled
	// cleaning up
	// true true
}

func ExampleGather() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		rs, err := aio.Gather(t, say("c", 3*time.Second), say("a", time.Second), say("b", 2*time.Second))
		fmt.Println(rs, err)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// a
	// b
	// c
	// [c a b] <nil>
}

func ExampleGatherErrors() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		fail := aio.Async(func(t *aio.Task) (string, error) { return "", errors.New("boom") })
		rs, errs, err := aio.GatherErrors(t, say("ok", time.Second), fail)
		fmt.Printf("%q %v %v\n", rs, errs, err)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// ok
	// ["ok" ""] [<nil> boom] <nil>
}

func ExampleWait() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		tasks := []*aio.Handle[string]{
			aio.CreateTask(t, say("slow", 2*time.Second)),
			aio.CreateTask(t, say("fast", time.Second)),
		}
		done, pending, _ := aio.Wait(t, tasks, aio.FirstCompleted)
		fmt.Println(len(done), len(pending))
		for _, p := range pending {
			p.Cancel()
		}
		return struct{}{}, nil
	}), virtual)
	// Output:
	// fast
	// 1 1
}

func ExampleWaitFor() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		_, err := aio.WaitFor(t, say("too late", time.Hour), time.Second)
		fmt.Println(err, errors.Is(err, context.DeadlineExceeded))
		return struct{}{}, nil
	}), virtual)
	// Output:
	// aio: timed out true
}

func ExampleTimeout() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		err := aio.Timeout(t, 10*time.Second, func(s *aio.TimeoutScope) error {
			if _, err := aio.Await(t, say("first", 5*time.Second)); err != nil {
				return err
			}
			_, err := aio.Await(t, say("second", 10*time.Second)) // cancelled at the deadline
			return err
		})
		fmt.Println(err)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// first
	// aio: timed out
}

func ExampleAsCompleted() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		tasks := []*aio.Handle[string]{
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (string, error) { aio.Sleep(t, 3*time.Second); return "c", nil })),
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (string, error) { aio.Sleep(t, time.Second); return "a", nil })),
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (string, error) { aio.Sleep(t, 2*time.Second); return "b", nil })),
		}
		for h, err := range aio.AsCompleted(t, tasks) {
			if err != nil {
				return struct{}{}, err
			}
			v, _ := h.Result()
			fmt.Println(v)
		}
		return struct{}{}, nil
	}), virtual)
	// Output:
	// a
	// b
	// c
}

func ExampleShield() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		important := aio.CreateTask(t, say("saved", 2*time.Second))
		waiter := aio.CreateTask(t, aio.Async(func(t *aio.Task) (string, error) {
			return aio.Shield[string](t, important)
		}))
		aio.Sleep(t, time.Second)
		waiter.Cancel() // the waiter gives up; the shielded task carries on
		_, err := aio.Await(t, waiter)
		fmt.Println(err)
		aio.Await(t, important)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// aio: cancelled
	// saved
}

func ExampleWithTaskGroup() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateTask(t, say("never", time.Hour), aio.InGroup(g))
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
				if err := aio.Sleep(t, time.Second); err != nil {
					return 0, err // cancelled by the group: not a failure
				}
				return 0, errors.New("later failure")
			}), aio.InGroup(g))
			g.CreateTask(aio.Async(func(t *aio.Task) (int, error) {
				return 0, errors.New("immediate failure")
			}))
			return nil
		})
		fmt.Println(err)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// immediate failure
}

func ExampleQueue() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		q := aio.NewQueue[int](2)
		worker := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			sum := 0
			for {
				v, err := q.Get(t)
				if err != nil {
					return sum, err // cancelled: done
				}
				sum += v
				q.TaskDone()
			}
		}))
		for i := 1; i <= 5; i++ {
			q.Put(t, i) // waits while the queue is full
		}
		q.Join(t) // until the worker has marked every item done
		worker.Cancel()
		fmt.Println(q.Len())
		return struct{}{}, nil
	}), virtual)
	// Output:
	// 0
}

func ExampleLock() {
	var mu aio.Lock
	counter := 0
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		worker := func() *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				if err := mu.Acquire(t); err != nil {
					return 0, err
				}
				defer mu.Release()
				v := counter
				aio.Sleep(t, time.Millisecond) // another task would run here
				counter = v + 1
				return 0, nil
			})
		}
		aio.Gather(t, worker(), worker(), worker())
		fmt.Println(counter)
		return struct{}{}, nil
	}), virtual)
	// Output:
	// 3
}

func ExampleToThread() {
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		// A blocking call runs on the loop's executor; the loop carries on.
		v, err := aio.ToThread(t, func() (int, error) {
			time.Sleep(10 * time.Millisecond)
			return 7, nil
		})
		fmt.Println(v, err)
		return struct{}{}, nil
	}))
	// Output:
	// 7 <nil>
}

func ExampleWithVirtualClock() {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		aio.Sleep(t, 24*time.Hour) // takes no real time
		fmt.Println(t.Loop().Now())
		return struct{}{}, nil
	}), aio.WithVirtualClock(start))
	// Output:
	// 2024-01-02 00:00:00 +0000 UTC
}

func ExampleLoop_CallLater() {
	l := aio.NewLoop(virtual)
	defer l.Close()
	l.CallLater(2*time.Second, func() { fmt.Println("later"); l.Stop() })
	l.CallLater(time.Second, func() { fmt.Println("sooner") })
	l.CallSoon(func() { fmt.Println("soon") })
	l.RunForever()
	// Output:
	// soon
	// sooner
	// later
}

func ExampleOpenConnection() {
	echo := func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
		defer w.Close()
		line, err := r.ReadLine(t)
		if err != nil {
			return err
		}
		w.Write([]byte(strings.ToUpper(string(line))))
		return w.Drain(t)
	}
	aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		srv, err := aio.StartServer(t, "127.0.0.1:0", echo)
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Close()
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return struct{}{}, err
		}
		defer w.Close()
		io.WriteString(w, "hello, streams\n")
		w.Drain(t)
		line, _ := r.ReadLine(t)
		fmt.Print(string(line))
		return struct{}{}, nil
	}))
	// Output:
	// HELLO, STREAMS
}

// countdown is a lowered body written by hand: what the rewriter
// generates for
//
//	aio.Async(func(t *aio.Task) (int, error) {
//		for i := n; i > 0; i-- {
//			fmt.Println(i)
//			if err := aio.Sleep(t, time.Second); err != nil {
//				return 0, err
//			}
//		}
//		return n, nil
//	})
type countdown struct {
	n, i  int
	sleep *aio.Future[struct{}]
}

func (c *countdown) Step(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
	if thrown != nil {
		return nil, true, 0, thrown
	}
	if c.sleep == nil {
		c.i = c.n // the first step
	} else if _, err := c.sleep.Result(); err != nil {
		return nil, true, 0, err
	}
	if c.i == 0 {
		return nil, true, c.n, nil
	}
	fmt.Println(c.i)
	c.i--
	c.sleep = aio.After(t.Loop(), time.Second)
	return c.sleep, false, 0, nil
}

func ExampleFromMachine() {
	v, err := aio.Run(aio.FromMachine[int](&countdown{n: 3}), virtual)
	fmt.Println(v, err)
	// Output:
	// 3
	// 2
	// 1
	// 3 <nil>
}

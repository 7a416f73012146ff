package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// A lowered body awaiting a call of a lowered async function of its
// package keeps the callee's machine and reuses it at each await of that
// call (docs/rewrite.md). Python's `await g(args)` makes a new coroutine
// object each time: nothing of one await may be seen by the next, however
// the previous one ended (returned, raised, panicked, was cancelled, or
// the loop closed under it), and the results of one await stay what they
// were once the next has run.

// Item is what Make returns: a value made by the callee.
type Item struct {
	n    int
	tags []string
}

// Make returns a new item of n, made from locals held across a sleep; a
// negative n fails, and n == 13 panics.
//
//asyncgo:async
func Make(n int, tag string) *aio.Coroutine[*Item] {
	return aio.Async(func(t *aio.Task) (*Item, error) {
		tags := []string{tag}
		var seen int
		if err := aio.Sleep(t, time.Duration(n%3)*time.Millisecond); err != nil {
			return nil, fmt.Errorf("make %d: %w", n, err)
		}
		seen += n
		tags = append(tags, fmt.Sprint(seen))
		if n < 0 {
			return nil, fmt.Errorf("make %d: %w", n, errBoom)
		}
		if n == 13 {
			panic(fmt.Sprintf("make %d", n))
		}
		return &Item{n: seen, tags: tags}, nil
	})
}

// MakeLoop awaits Make at one site n times; it keeps every item and reads
// the previous one after the next await.
//
//asyncgo:async
func MakeLoop(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		var items []*Item
		var prev *Item
		sum := 0
		for i := range n {
			it, err := aio.Await(t, Make(i, fmt.Sprint("i", i)))
			if err != nil {
				return sum, err
			}
			if prev != nil {
				logf(t.Loop(), "prev %d %v, now %d %v", prev.n, prev.tags, it.n, it.tags)
			}
			prev = it
			items = append(items, it)
			sum += it.n
		}
		for _, it := range items {
			logf(t.Loop(), "kept %d %v", it.n, it.tags)
		}
		return sum, nil
	})
}

var _ = register("reuse_loop_results", func() { run(MakeLoop(5)) })

// catch logs and stops a panic of the body that defers it.
func catch(l *aio.Loop, who string) {
	if v := recover(); v != nil {
		logf(l, "%s recovered %v", who, v)
	}
}

// Guard awaits Make(n) and returns its n; it recovers a panic of Make's
// (its deferred function recovers, so the body returns the named
// results as they were).
//
//asyncgo:async
func Guard(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (v int, err error) {
		defer catch(t.Loop(), fmt.Sprint("guard ", n))
		v = -1
		it, err := aio.Await(t, Make(n, "g"))
		if err != nil {
			return -2, err
		}
		return it.n, nil
	})
}

// GuardModes awaits Guard at one site with values that make Make return, fail
// and panic, in turns, and with a cancellation of itself in between: the
// site (and Guard's own site for Make) is entered again after each.
//
//asyncgo:async
func GuardModes() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var got []string
		for _, n := range []int{1, 13, 2, -4, 13, 5, 14, 6} {
			if n == 14 {
				// Cancelled while Make sleeps inside Guard.
				h := aio.CreateTask(t, Guard(n))
				aio.Sleep(t, time.Microsecond)
				h.Cancel()
				v, err := aio.Await(t, h)
				got = append(got, fmt.Sprintf("task %d: %d %v", n, v, errors.Is(err, aio.ErrCancelled)))
				continue
			}
			v, err := aio.Await(t, Guard(n))
			got = append(got, fmt.Sprintf("%d: %d %v", n, v, err))
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("reuse_after_panic_and_error", func() { run(GuardModes()) })

// Patient awaits Make(n) at one site in a loop; a cancellation that comes
// while Make sleeps is withdrawn (Uncancel) and the loop goes on, entering
// the site again with the machine the cancelled await left.
//
//asyncgo:async
func Patient(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for i := range n {
			it, err := aio.Await(t, Make(i*3+2, "p"))
			if err != nil {
				logf(t.Loop(), "patient %d: %v cancelling=%d", i, err, t.Cancelling())
				t.Uncancel()
				continue
			}
			sum += it.n
			logf(t.Loop(), "patient %d: %d %v", i, it.n, it.tags)
		}
		return sum, nil
	})
}

// CancelPatient cancels Patient twice while Make sleeps in it.
//
//asyncgo:async
func CancelPatient() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		h := aio.CreateTask(t, Patient(6))
		for _, d := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
			aio.Sleep(t, d)
			h.Cancel()
		}
		return aio.Await(t, h)
	})
}

var _ = register("reuse_cancelled_reentered", func() { run(CancelPatient()) })

// Fib awaits itself at two sites: each level keeps the machines of its
// two callees, a tree of machines reused whenever Fib is awaited again.
//
//asyncgo:async
func Fib(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if n < 2 {
			return n, aio.Sleep(t, 0)
		}
		a, err := aio.Await(t, Fib(n-1))
		if err != nil {
			return 0, err
		}
		b, err := aio.Await(t, Fib(n-2))
		return a + b, err
	})
}

// Fibs awaits Fib at one site for a few n, up and down again.
//
//asyncgo:async
func Fibs() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var got []int
		for _, n := range []int{6, 3, 8, 0, 1, 7} {
			v, err := aio.Await(t, Fib(n))
			if err != nil {
				return "", err
			}
			got = append(got, v)
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("reuse_recursive", func() { run(Fibs()) })

// Boxed is a generic value whose methods are async.
type Boxed[T any] struct {
	v     T
	count int
}

// Swap sets the box's value, after a sleep, and returns the old one: a
// method of a pointer receiver.
//
//asyncgo:async
func (b *Boxed[T]) Swap(v T) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		old := b.v
		if err := aio.Sleep(t, time.Millisecond); err != nil {
			return old, err
		}
		b.v = v
		b.count++
		return old, nil
	})
}

// Peek returns the box's value: a method of a value receiver.
//
//asyncgo:async
func (b Boxed[T]) Peek() *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		return b.v, aio.Sleep(t, 0)
	})
}

// Relay awaits Swap on a local box (x.Swap() of an addressable value),
// through a pointer to another one, and Peek through that pointer, in a
// loop: generic methods of both kinds of receiver.
//
//asyncgo:async
func Relay[T any](vs ...T) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var local Boxed[T]
		other := &Boxed[T]{}
		var got []string
		for _, v := range vs {
			old, err := aio.Await(t, local.Swap(v))
			if err != nil {
				return "", err
			}
			o2, _ := aio.Await(t, other.Swap(old))
			p, _ := aio.Await(t, other.Peek())
			got = append(got, fmt.Sprint(old, "/", o2, "/", p))
		}
		return fmt.Sprint(got, local.count, other.count), nil
	})
}

// Echo returns v after a sleep of d: a generic function, with a blank
// parameter whose argument is still evaluated.
//
//asyncgo:async
func Echo[T any](v T, _ string, d time.Duration) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		err := aio.Sleep(t, d)
		return v, err
	})
}

// noteArg logs that an argument was evaluated.
func noteArg(l *aio.Loop, s string) string {
	logf(l, "argument %s", s)
	return s
}

// ReuseGenerics awaits Relay and Echo with two type arguments each.
//
//asyncgo:async
func ReuseGenerics() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		a, err := aio.Await(t, Relay(1, 2, 3))
		if err != nil {
			return "", err
		}
		b, _ := aio.Await(t, Relay("x", "y"))
		var got []string
		for i := range 3 {
			n, _ := aio.Await(t, Echo(i, noteArg(t.Loop(), "int"), time.Millisecond))
			slept := aio.Sleep(t, 0)
			s, _ := aio.Await(t, Echo[string](fmt.Sprint(slept, i), noteArg(t.Loop(), "string"), 0))
			got = append(got, fmt.Sprint(n, s))
		}
		return a + " " + b + " " + fmt.Sprint(got), nil
	})
}

var _ = register("reuse_generic_methods", func() { run(ReuseGenerics()) })

// InScopes awaits Make inside a Timeout and a TaskGroup callback, in a
// loop: the timeout expires while the kept Make sleeps, and the site is
// entered again.
//
//asyncgo:async
func InScopes() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var got []string
		for i := range 4 {
			err := aio.Timeout(t, 1500*time.Microsecond, func(s *aio.TimeoutScope) error {
				it, err := aio.Await(t, Make(i, "timeout"))
				if err != nil {
					return err
				}
				got = append(got, fmt.Sprint(it.n, it.tags))
				return nil
			})
			got = append(got, fmt.Sprintf("timeout %d: %v", i, err))
			err = aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				g.CreateTask(Make(i+10, "group"))
				it, err := aio.Await(t, Make(i+20, "group"))
				if err != nil {
					return err
				}
				got = append(got, fmt.Sprint(it.n))
				return nil
			})
			got = append(got, fmt.Sprintf("group %d: %v", i, err))
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("reuse_in_scopes", func() { run(InScopes()) })

// Holder awaits Make in a loop, forever; it logs from its defer.
//
//asyncgo:async
func Holder(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "%s deferred", name)
		for i := 0; ; i++ {
			it, err := aio.Await(t, Make(i%3+1, name))
			logf(t.Loop(), "%s: %v %v", name, it != nil, err)
			if err != nil {
				return i, err
			}
		}
	})
}

// HolderOuter awaits Holder (which it keeps too).
//
//asyncgo:async
func HolderOuter() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "outer deferred")
		return aio.Await(t, Holder("held"))
	})
}

var _ = register("reuse_loop_closed", func() {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	h := aio.NewTask(l, HolderOuter())
	err := l.RunUntilComplete(Echo(0, "", 5*time.Millisecond))
	out.log("run until complete: %s", describe(err))
	out.log("close: %s", describe(l.Close()))
	n, herr := h.Result()
	out.log("outer: %d %v %s", n, h.Cancelled(), describe(herr))
})

// Closure returns a function of its parameter and of a local it sets
// after a sleep: the function outlives the await, so its machine must not
// be reused by the next one.
//
//asyncgo:async
func Closure(n int) *aio.Coroutine[func() string] {
	return aio.Async(func(t *aio.Task) (func() string, error) {
		local := n * 10
		err := aio.Sleep(t, time.Millisecond)
		local++
		return func() string { return fmt.Sprint(n, "/", local) }, err
	})
}

// Address returns pointers to its parameter and to a local, and the
// local's slice of an array: they outlive the await too.
//
//asyncgo:async
func Address(n int) *aio.Coroutine[[]*int] {
	return aio.Async(func(t *aio.Task) ([]*int, error) {
		var arr [2]int
		arr[0] = n
		err := aio.Sleep(t, 0)
		s := arr[:]
		s[1] = n + 1
		return []*int{&n, &arr[0], &s[1]}, err
	})
}

// Outliving awaits Closure and Address at one site each in a loop and
// reads what they returned once every await is over.
//
//asyncgo:async
func Outliving() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var fs []func() string
		var ps [][]*int
		for i := range 3 {
			f, err := aio.Await(t, Closure(i))
			if err != nil {
				return "", err
			}
			fs = append(fs, f)
			p, _ := aio.Await(t, Address(i))
			ps = append(ps, p)
		}
		var got []string
		for i, f := range fs {
			got = append(got, f(), fmt.Sprint(*ps[i][0], *ps[i][1], *ps[i][2]))
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("reuse_not_outliving", func() { run(Outliving()) })

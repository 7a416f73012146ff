package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Awaits in every loop form (Go spec, "For statements"): three-clause
// loops with awaits in the condition and the post statement, range over
// an int, a slice (evaluated once), an array and a pointer to one, a
// string, a map, a closed channel, a function; labelled break and
// continue, goto.

// Inc returns v+1 after a turn.
//
//asyncgo:async
func Inc(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, 0); err != nil {
			return v, err
		}
		return v + 1, nil
	})
}

// Below reports v < n after a millisecond.
//
//asyncgo:async
func Below(v, n int) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		err := aio.Sleep(t, time.Millisecond)
		return v < n, err
	})
}

// ThreeClause awaits in a for loop's init, condition, post and body.
//
//asyncgo:async
func ThreeClause() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := ""
		for i, _ := aio.Await(t, Inc(0)); func() bool { b, _ := i < 5, 0; return b }(); i, _ = aio.Await(t, Inc(i)) {
			s += fmt.Sprint(i)
		}
		n := 0
		for ok, _ := aio.Await(t, Below(n, 3)); ok; ok, _ = aio.Await(t, Below(n, 3)) {
			n++
			s += "+"
		}
		for j := 0; ; j++ {
			if ok, _ := aio.Await(t, Below(j, 2)); !ok {
				s += "!"
				break
			}
			s += "j"
		}
		logf(t.Loop(), "three-clause %s n=%d", s, n)
		return s, nil
	})
}

var _ = register("loop_three_clause", func() { run(ThreeClause()) })

// Ranges awaits in ranges over an int, a slice that the body appends to,
// an array, a pointer to an array, a string and a closed channel.
//
//asyncgo:async
func Ranges() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		n := 3
		for i := range n {
			n = 10 // the range was evaluated once
			v, _ := aio.Await(t, Inc(i))
			logf(l, "int %d -> %d", i, v)
		}
		xs := []int{1, 2, 3}
		for i, x := range xs {
			xs = append(xs, x*10) // the slice was evaluated once
			xs[len(xs)-1]++
			aio.Sleep(t, time.Millisecond)
			logf(l, "slice %d %d len %d", i, x, len(xs))
		}
		arr := [3]string{"a", "b", "c"}
		for i, s := range arr {
			arr[2] = "changed" // ranging over an array copies it
			aio.Sleep(t, 0)
			logf(l, "array %d %s", i, s)
		}
		pa := &arr
		for i, s := range pa {
			pa[2] = "again" // a pointer to an array is not copied
			aio.Sleep(t, 0)
			logf(l, "pointer %d %s", i, s)
		}
		for i, r := range "héllo" {
			if r == 'l' {
				continue
			}
			v, _ := aio.Await(t, Inc(int(r)))
			logf(l, "rune at %d: %c", i, rune(v-1))
		}
		ch := make(chan int, 4)
		for i := range 4 {
			ch <- i * i
		}
		close(ch)
		sum := 0
		for v := range ch {
			w, _ := aio.Await(t, Inc(v))
			sum += w
		}
		logf(l, "channel sum %d", sum)
		return fmt.Sprint(xs, arr), nil
	})
}

var _ = register("loop_ranges", func() { run(Ranges()) })

// MapRange awaits while ranging over a map; the order varies, so only
// what does not depend on it is logged.
//
//asyncgo:async
func MapRange() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		m := map[string]int{"a": 1, "b": 2, "c": 3, "d": 4}
		seen := map[string]int{}
		total := 0
		for k, v := range m {
			w, _ := aio.Await(t, Inc(v))
			seen[k] = w
			total += w
		}
		keys := slices.Sorted(maps.Keys(seen))
		logf(t.Loop(), "keys %v total %d", keys, total)
		// Keys only, and a break after an await.
		count := 0
		for range m {
			aio.Sleep(t, 0)
			count++
			if count == 2 {
				break
			}
		}
		return total + count, nil
	})
}

var _ = register("loop_range_map", func() { run(MapRange()) })

// pairs yields (i, i*i) for i < n and logs when it finishes and whether it
// was stopped.
func pairs(n int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer out.log("pairs(%d) finished", n)
		for i := range n {
			if !yield(i, i*i) {
				out.log("pairs(%d) stopped at %d", n, i)
				return
			}
		}
	}
}

// FuncRange awaits in range-over-func loops and leaves them by each kind
// of jump: continue, labelled continue, break, labelled break, return and
// goto; the iterator finishes in place each time (Go spec: yield returns
// false).
//
//asyncgo:async
func FuncRange(mode string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "func range %s deferred", mode)
		total := 0
	outer:
		for k := range 2 {
			for i, sq := range pairs(4) {
				v, err := aio.Await(t, Inc(sq))
				if err != nil {
					return 0, err
				}
				total += v
				switch {
				case mode == "continue" && i == 1:
					continue
				case mode == "continue-outer" && i == 2:
					continue outer
				case mode == "break" && i == 1:
					break // leaves the switch, not the loop (Go spec)
				case mode == "break-outer" && i == 2:
					break outer
				case mode == "return" && i == 2:
					return total * 100, nil
				case mode == "goto" && k == 1 && i == 1:
					goto done
				}
				logf(l, "%s k=%d i=%d total=%d", mode, k, i, total)
			}
		}
		logf(l, "%s after loops", mode)
	done:
		logf(l, "%s done %d", mode, total)
		return total, nil
	})
}

var _ = register("loop_range_func_jumps", func() {
	for _, m := range []string{"continue", "continue-outer", "break", "break-outer", "return", "goto"} {
		run(FuncRange(m))
	}
})

// Labelled awaits in nested three-clause and range loops left by labelled
// break and continue, and in a goto loop.
//
//asyncgo:async
func Labelled() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var trail []string
	rows:
		for i := 0; i < 4; i++ {
		cols:
			for j := range []int{0, 1, 2, 3} {
				v, _ := aio.Await(t, Inc(i*j))
				switch {
				case v == 3:
					continue rows
				case v > 6:
					break rows
				case j == i:
					continue cols
				}
				for k := range 3 {
					if k == j {
						aio.Sleep(t, time.Millisecond)
						continue cols
					}
				}
				trail = append(trail, fmt.Sprintf("%d%d", i, j))
			}
		}
		n := 0
	again:
		v, _ := aio.Await(t, Inc(n))
		if n = v; n < 4 {
			trail = append(trail, fmt.Sprint("g", n))
			goto again
		}
		sort.Strings(trail)
		logf(t.Loop(), "trail %v", trail)
		return fmt.Sprint(len(trail)), nil
	})
}

var _ = register("loop_labelled_goto", func() { run(Labelled()) })

// InIterator sleeps inside a range-over-func loop until cancelled or
// unwound; the iterator's deferred log runs in place either way.
//
//asyncgo:async
func InIterator(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "%s: body deferred", name)
		n := 0
		for i, sq := range pairs(3) {
			defer logf(l, "%s: deferred in the loop at %d", name, i)
			if err := aio.Sleep(t, time.Duration(sq+1)*time.Second); err != nil {
				logf(l, "%s: %v at %d", name, err, i)
				return n, err
			}
			n += sq
		}
		return n, nil
	})
}

var _ = register("loop_range_func_cancel_close", func() {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	a := aio.NewTask(l, InIterator("cancelled"))
	b := aio.NewTask(l, InIterator("closed"))
	c := aio.NewTask(l, InIterator("also closed"))
	l.CallLater(1500*time.Millisecond, func() { a.Cancel() })
	err := l.RunUntilComplete(Napper("main", 7*time.Second))
	out.log("run until complete: %s", describe(err))
	out.log("close: %s", describe(l.Close()))
	for _, h := range []*aio.Handle[int]{a, b, c} {
		n, err := h.Result()
		out.log("%d %s cancelled=%v", n, describe(err), h.Cancelled())
	}
})

// PostAwaits continues (plainly and to a label) loops whose post
// statements await: the post runs, and suspends, on each continue.
//
//asyncgo:async
func PostAwaits() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := ""
	outer:
		for i := 0; i < 3; i, _ = aio.Await(t, Inc(i)) {
			for j := 0; j < 3; j, _ = aio.Await(t, Inc(j)) {
				if j == 1 {
					continue
				}
				if i == 1 {
					continue outer
				}
				if ok, _ := aio.Await(t, Below(i+j, 3)); !ok {
					break outer
				}
				s += fmt.Sprint(i, j, " ")
			}
		}
		logf(t.Loop(), "post awaits: %s", s)
		return s, nil
	})
}

var _ = register("loop_post_awaits_continue", func() { run(PostAwaits()) })

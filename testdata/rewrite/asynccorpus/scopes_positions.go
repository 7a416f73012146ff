package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Scopes wherever an expression may be: an if condition, a switch tag,
// the right operand of && and ||, a return's value, a call's argument, a
// dropped value; inside loops with break and continue around them, inside
// a select case and an AsCompleted loop, and an AsCompleted loop inside
// one; callback parameters unnamed, blank, and captured by closures that
// outlive the block, as are the callback's own variables.

// PFetch sleeps ms milliseconds and returns v, failing for v < 0.
//
//asyncgo:async
func PFetch(v, ms int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, time.Duration(ms)*time.Millisecond); err != nil {
			return 0, err
		}
		if v < 0 {
			return v, fmt.Errorf("negative %d", v)
		}
		return v, nil
	})
}

// Positions uses scopes in every expression position.
//
//asyncgo:async
func Positions(lim int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		n := 0
		if aio.Timeout(t, time.Duration(lim)*time.Millisecond, func(*aio.TimeoutScope) error {
			_, err := aio.Await(t, PFetch(1, 20))
			n++
			return err
		}) != nil {
			logf(l, "if condition: timed out")
		}
		switch err := aio.WithTaskGroup(t, func(_ *aio.TaskGroup) error {
			v, err := aio.Await(t, PFetch(-lim, 5))
			n += v
			return err
		}); {
		case err == nil:
			logf(l, "switch: nil")
		default:
			logf(l, "switch: %v", err)
		}
		switch aio.TimeoutAt(t, l.Now().Add(time.Duration(lim)*time.Millisecond), func(s *aio.TimeoutScope) error {
			return aio.Sleep(t, 30*time.Millisecond)
		}) {
		case nil:
			logf(l, "tag: nil")
		case aio.ErrTimeout:
			logf(l, "tag: timeout")
		}
		ok := n > 100 || aio.Timeout(t, time.Millisecond, func(*aio.TimeoutScope) error { return aio.Sleep(t, 0) }) == nil
		ok2 := n > 100 && aio.Timeout(t, time.Millisecond, func(*aio.TimeoutScope) error { return errors.New("never") }) == nil
		logf(l, "&&/||: %v %v", ok, ok2)
		logf(l, "argument: %v", fmt.Sprint("group ", aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateGroupTask(g, PFetch(3, 10))
			return nil
		})))
		aio.WithTaskGroup(t, func(g *aio.TaskGroup) error { // dropped
			aio.CreateGroupTask(g, PFetch(-1, 10))
			return nil
		})
		logf(l, "dropped; n=%d", n)
		return fmt.Sprint(n), aio.Timeout(t, time.Duration(lim)*time.Millisecond, func(s *aio.TimeoutScope) error {
			_, err := aio.Await(t, PFetch(2, 25))
			return err
		})
	})
}

var _ = register("scopes_positions_short", func() { run(Positions(15)) })
var _ = register("scopes_positions_long", func() { run(Positions(50)) })

// Loops: a block in a loop with continue and break after it; a select
// case holding one; an AsCompleted loop around one and inside one.
//
//asyncgo:async
func ScopeLoops() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		sum := 0
		var later []func() string
		for i := 0; i < 6; i++ {
			err := aio.Timeout(t, 12*time.Millisecond, func(s *aio.TimeoutScope) error {
				local := i * 100
				later = append(later, func() string { return fmt.Sprint(local, " expired=", s.Expired()) })
				v, err := aio.Await(t, PFetch(i, 3*i))
				local += v
				return err
			})
			if errors.Is(err, aio.ErrTimeout) {
				logf(l, "%d timed out", i)
				continue
			}
			if i == 4 {
				break
			}
			sum += i
		}
		for _, f := range later {
			logf(l, "later: %s", f())
		}
		ch := make(chan int, 1)
		ch <- 7
		select {
		case v := <-ch:
			err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				aio.CreateGroupTask(g, PFetch(v, 5))
				_, err := aio.Await(t, PFetch(v, 1))
				return err
			})
			logf(l, "select case: %v", err)
		default:
		}
		hs := []*aio.Handle[int]{aio.CreateTask(t, PFetch(1, 30)), aio.CreateTask(t, PFetch(2, 10)), aio.CreateTask(t, PFetch(-3, 20))}
		for h, err := range aio.AsCompleted(t, hs) {
			if err != nil {
				logf(l, "as completed: %v", err)
				continue
			}
			terr := aio.Timeout(t, 5*time.Millisecond, func(*aio.TimeoutScope) error {
				v, err := aio.Await(t, h)
				if err != nil {
					return err
				}
				_, err = aio.Await(t, PFetch(v, v*4))
				sum += v
				return err
			})
			logf(l, "in as completed: %v", terr)
		}
		err := aio.Timeout(t, 15*time.Millisecond, func(*aio.TimeoutScope) error {
			hs := []*aio.Handle[int]{aio.CreateTask(t, PFetch(10, 30)), aio.CreateTask(t, PFetch(20, 10))}
			for h, err := range aio.AsCompleted(t, hs) {
				if err != nil {
					return err
				}
				v, _ := aio.Await(t, h)
				sum += v
			}
			return nil
		})
		logf(l, "as completed inside: %v sum=%d", err, sum)
		return sum, nil
	})
}

var _ = register("scopes_loops", func() { run(ScopeLoops()) })

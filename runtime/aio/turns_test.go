package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

// turnsProgram is testdata/turns.py in Go: beside a task that ticks once
// a turn of the loop, it shows in which turn Sleep, an awaited task and
// each combinator resume their awaiter.
func turnsProgram(w io.Writer) func(t *aio.Task) error {
	printf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	ticker := func(n int) *aio.Coroutine[unit] {
		return aio.Async(func(t *aio.Task) (unit, error) {
			for i := range n {
				printf("tick %d", i)
				if err := aio.Sleep(t, 0); err != nil {
					return unit{}, err
				}
			}
			return unit{}, nil
		})
	}
	child := func(name string, k int, fail bool) *aio.Coroutine[string] {
		return aio.Async(func(t *aio.Task) (string, error) {
			if err := turns(t, k); err != nil {
				return "", err
			}
			printf("%s done", name)
			if fail {
				return "", errors.New(name)
			}
			return name, nil
		})
	}
	py := func(names []string) string { return "['" + strings.Join(names, "', '") + "']" }
	sections := []struct {
		name string
		body func(t *aio.Task) error
	}{
		{"sleep tie", func(t *aio.Task) error {
			fut := aio.NewFuture[unit](t.Loop())
			t.Loop().CallLater(time.Second, func() { fut.SetResult(unit{}) })
			sleeper := aio.Async(func(t *aio.Task) (unit, error) {
				err := aio.Sleep(t, time.Second)
				printf("sleeper woke")
				return unit{}, err
			})
			waiter := aio.Async(func(t *aio.Task) (unit, error) {
				_, err := aio.Await(t, fut)
				printf("future waiter woke")
				return unit{}, err
			})
			_, err := aio.Gather(t, sleeper, waiter)
			return err
		}},
		{"await task", func(t *aio.Task) error {
			r, err := aio.Await(t, aio.CreateTask(t, child("a", 1, false)))
			printf("task -> %s", r)
			return err
		}},
		{"gather", func(t *aio.Task) error {
			rs, err := aio.Gather(t, child("a", 1, false), child("b", 2, false))
			printf("gather -> %s", py(rs))
			return err
		}},
		{"wait first", func(t *aio.Task) error {
			ts := []*aio.Handle[string]{aio.CreateTask(t, child("a", 1, false)), aio.CreateTask(t, child("b", 3, false))}
			done, pending, err := aio.Wait(t, ts, aio.FirstCompleted)
			printf("wait first -> %d %d", len(done), len(pending))
			if err != nil {
				return err
			}
			_, err = aio.Await(t, ts[1])
			return err
		}},
		{"wait all", func(t *aio.Task) error {
			ts := []*aio.Handle[string]{aio.CreateTask(t, child("a", 1, false)), aio.CreateTask(t, child("b", 2, false))}
			done, pending, err := aio.Wait(t, ts, aio.AllCompleted)
			printf("wait all -> %d %d", len(done), len(pending))
			return err
		}},
		{"wait done", func(t *aio.Task) error {
			ts := []*aio.Handle[string]{aio.CreateTask(t, child("a", 0, false))}
			aio.Sleep(t, 0)
			done, pending, err := aio.Wait(t, ts, aio.AllCompleted)
			printf("wait done -> %d %d", len(done), len(pending))
			return err
		}},
		{"shield", func(t *aio.Task) error {
			r, err := aio.Shield(t, child("a", 1, false))
			printf("shield -> %s", r)
			return err
		}},
		{"as_completed", func(t *aio.Task) error {
			ts := []*aio.Handle[string]{aio.CreateTask(t, child("a", 2, false)), aio.CreateTask(t, child("b", 1, false))}
			for f, err := range aio.AsCompleted(t, ts) {
				if err != nil {
					return err
				}
				r, _ := f.Result()
				printf("as_completed -> %s", r)
			}
			return nil
		}},
		{"task group", func(t *aio.Task) error {
			err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				aio.CreateTask(t, child("a", 1, false), aio.InGroup(g))
				aio.CreateTask(t, child("b", 2, false), aio.InGroup(g))
				return nil
			})
			printf("task group done")
			return err
		}},
		{"task group fails", func(t *aio.Task) error {
			err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				aio.CreateTask(t, child("a", 1, true), aio.InGroup(g))
				aio.CreateTask(t, child("b", 1, true), aio.InGroup(g))
				aio.CreateTask(t, child("c", 3, false), aio.InGroup(g))
				return nil
			})
			var names []string
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					names = append(names, e.Error())
				}
			} else if err != nil {
				names = append(names, err.Error())
			}
			slices.Sort(names)
			printf("task group errors %s", py(names))
			return nil
		}},
		{"timeout", func(t *aio.Task) error {
			err := aio.Timeout(t, 500*time.Millisecond, func(*aio.TimeoutScope) error {
				if _, err := aio.Await(t, child("a", 1, false)); err != nil {
					return err
				}
				return aio.Sleep(t, time.Second)
			})
			if errors.Is(err, aio.ErrTimeout) {
				printf("timeout -> TimeoutError")
				return nil
			}
			return err
		}},
	}
	return func(t *aio.Task) error {
		for _, s := range sections {
			printf("-- %s", s.name)
			tk := aio.CreateTask(t, ticker(8))
			aio.Sleep(t, 0)
			if err := s.body(t); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if _, err := aio.Await(t, tk); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestTurnsMatchAsyncio compares the turn in which Sleep, an awaited task
// and each combinator resume their awaiter with CPython's asyncio: done
// callbacks (the machinery of Gather, Wait, Shield, AsCompleted and
// TaskGroup) run in the turn after the future completes, and a sleeping
// task wakes in the turn after its timer's.
func TestTurnsMatchAsyncio(t *testing.T) {
	var got bytes.Buffer
	check(t, turnsProgram(&got))
	testbound.MatchesFile(t, got.Bytes(), "testdata/turns.txt")
	if out, ok := testbound.Python(t, "testdata/turns.py"); ok && !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

// TestTaskGroupReportsFailuresOfOneTurn has two members fail in the same
// turn: the group learns of the first in the next turn, as asyncio's done
// callbacks run, so the second is not cancelled after it failed, and both
// errors are reported (Python's ExceptionGroup holds both).
func TestTaskGroupReportsFailuresOfOneTurn(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	check(t, func(t *aio.Task) error {
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateTask(t, after(1, errA), aio.InGroup(g))
			aio.CreateTask(t, after(1, errB), aio.InGroup(g))
			return nil
		})
		if !errors.Is(err, errA) || !errors.Is(err, errB) || errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("WithTaskGroup = %v; want a and b joined", err)
		}
		return nil
	})
}

// TestLoweredAndDirectSleepTurnsAgree runs the sleep tie of turns.py with
// a lowered sleeper (a Machine suspended on After) and a direct one: both
// wake in the turn after their timer's, after the future completed by the
// call scheduled first.
func TestLoweredAndDirectSleepTurnsAgree(t *testing.T) {
	for _, lowered := range []bool{false, true} {
		var log []string
		check(t, func(t *aio.Task) error {
			fut := aio.NewFuture[int](t.Loop())
			t.Loop().CallLater(time.Second, func() { fut.SetResult(0) })
			sleeper := aio.Async(func(t *aio.Task) (int, error) {
				err := aio.Sleep(t, time.Second)
				log = append(log, "sleeper")
				return 0, err
			})
			if lowered {
				var slept bool
				sleeper = aio.FromMachine[int](stepFunc(func(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
					if !slept {
						slept = true
						return aio.After(t.Loop(), time.Second), false, 0, nil
					}
					log = append(log, "sleeper")
					return nil, true, 0, thrown
				}))
			}
			waiter := aio.Async(func(t *aio.Task) (int, error) {
				_, err := aio.Await(t, fut)
				log = append(log, "waiter")
				return 0, err
			})
			_, err := aio.Gather(t, sleeper, waiter)
			return err
		})
		if got := strings.Join(log, " "); got != "waiter sleeper" {
			t.Errorf("lowered %v: %s; want waiter sleeper", lowered, got)
		}
	}
}

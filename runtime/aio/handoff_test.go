package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The hand-off tests cancel the waiters of each synchronization primitive
// at each point of a hand-off (a release, a notify, a set, a put or a get
// made by the main task) and compare what happens with what CPython's
// asyncio does running testdata/handoff.py, the same program: the output
// recorded in testdata/handoff_<kind>.txt, and python3's live when it is
// installed. They also check the invariants themselves: never more tasks
// inside than the primitive admits, and its state restored at the end.

// handoffCase says whom to cancel and when, relative to the hand-off:
// "before" it in the same step (the victim has not run yet), "after" it in
// the same step (woken, then cancelled before it runs), or "gone", a turn
// before it (the victim has run and left).
type handoffCase struct {
	when    string
	victims []string
}

var handoffCases = []handoffCase{
	{"before", []string{"w1"}},
	{"after", []string{"w1"}},
	{"gone", []string{"w1"}},
	{"before", []string{"w2"}},
	{"after", []string{"w2"}},
	{"before", []string{"w1", "w2"}},
	{"after", []string{"w1", "w2"}},
}

var handoffNames = []string{"w1", "w2", "w3", "w4"}

type unit = struct{}

// handoffRun holds what a case's tasks share.
type handoffRun struct {
	out    io.Writer
	inside int
	most   int
	broken []string // invariant violations
}

func (r *handoffRun) printf(format string, args ...any) { fmt.Fprintf(r.out, format+"\n", args...) }

func turns(t *aio.Task, n int) error {
	for range n {
		if err := aio.Sleep(t, 0); err != nil {
			return err
		}
	}
	return nil
}

// hold is the critical section: at most limit tasks may be inside.
func (r *handoffRun) hold(t *aio.Task, name string, limit int) error {
	r.inside++
	r.most = max(r.most, r.inside)
	r.printf("%s in %d", name, r.inside)
	if r.inside > limit {
		r.printf("!! more than %d inside", limit)
		r.broken = append(r.broken, fmt.Sprintf("%s: %d inside", name, r.inside))
	}
	err := turns(t, 2)
	r.inside--
	r.printf("%s out", name)
	return err
}

func (r *handoffRun) cancelAt(t *aio.Task, c handoffCase, tasks []*aio.Handle[unit], handoff func()) {
	var vs []*aio.Handle[unit]
	for _, v := range c.victims {
		vs = append(vs, tasks[slices.Index(handoffNames, v)])
	}
	switch c.when {
	case "gone":
		for _, v := range vs {
			v.Cancel()
		}
		aio.Sleep(t, 0)
		handoff()
	case "before":
		for _, v := range vs {
			v.Cancel()
		}
		handoff()
	default:
		handoff()
		for _, v := range vs {
			v.Cancel()
		}
	}
}

func (r *handoffRun) finish(t *aio.Task, tasks []*aio.Handle[unit]) error {
	aws := make([]aio.Awaitable[unit], len(tasks))
	for i, h := range tasks {
		aws[i] = h
	}
	_, errs, err := aio.GatherErrors(t, aws...)
	for i, e := range errs {
		if errors.Is(e, aio.ErrCancelled) {
			r.printf("%s cancelled", handoffNames[i])
		} else if e != nil {
			return e
		}
	}
	return err
}

func (r *handoffRun) spawn(t *aio.Task, body func(t *aio.Task, name string) error) []*aio.Handle[unit] {
	var tasks []*aio.Handle[unit]
	for _, n := range handoffNames {
		tasks = append(tasks, aio.CreateTask(t, aio.Async(func(t *aio.Task) (unit, error) { return unit{}, body(t, n) })))
	}
	return tasks
}

var handoffKinds = map[string]func(t *aio.Task, r *handoffRun, c handoffCase) error{
	"lock": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		var mu aio.Lock
		mu.Acquire(t)
		tasks := r.spawn(t, func(t *aio.Task, name string) error {
			if err := mu.Acquire(t); err != nil {
				return err
			}
			defer mu.Release()
			return r.hold(t, name, 1)
		})
		aio.Sleep(t, 0)
		r.cancelAt(t, c, tasks, mu.Release)
		if err := r.finish(t, tasks); err != nil {
			return err
		}
		r.printf("most inside %d locked %s", r.most, pyBool(mu.Locked()))
		return nil
	},
	"semaphore": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		return semaphoreCase(t, r, c, aio.NewSemaphore(2))
	},
	"bounded": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		return semaphoreCase(t, r, c, aio.NewBoundedSemaphore(2))
	},
	"condition": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		cond := aio.NewCondition(nil)
		tasks := r.spawn(t, func(t *aio.Task, name string) error {
			if err := cond.Acquire(t); err != nil {
				return err
			}
			defer cond.Release()
			if err := cond.Wait(t); err != nil {
				return err
			}
			r.printf("%s notified", name)
			return r.hold(t, name, 1)
		})
		aio.Sleep(t, 0)
		cond.Acquire(t)
		r.cancelAt(t, c, tasks, func() {
			cond.Notify(2)
			cond.Release()
		})
		turns(t, 8)
		r.printf("notify_all")
		cond.Acquire(t)
		cond.NotifyAll()
		cond.Release()
		if err := r.finish(t, tasks); err != nil {
			return err
		}
		r.printf("most inside %d locked %s", r.most, pyBool(cond.Locked()))
		return nil
	},
	"event": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		var ev aio.Event
		tasks := r.spawn(t, func(t *aio.Task, name string) error {
			if err := ev.Wait(t); err != nil {
				return err
			}
			r.printf("%s woke", name)
			return nil
		})
		aio.Sleep(t, 0)
		r.cancelAt(t, c, tasks, ev.Set)
		if err := r.finish(t, tasks); err != nil {
			return err
		}
		r.printf("set %s", pyBool(ev.IsSet()))
		return nil
	},
	"queue": func(t *aio.Task, r *handoffRun, c handoffCase) error {
		q := aio.NewQueue[int](1)
		tasks := r.spawn(t, func(t *aio.Task, name string) error {
			v, err := q.Get(t)
			if err == nil {
				r.printf("%s got %d", name, v)
			}
			return err
		})
		aio.Sleep(t, 0)
		r.cancelAt(t, c, tasks, func() { q.PutNowait(1) })
		turns(t, 4)
		for i := 2; i < 5; i++ {
			if q.Full() {
				r.printf("full")
				break
			}
			q.PutNowait(i)
			turns(t, 2)
		}
		r.printf("left %d", q.Len())
		for _, h := range tasks {
			h.Cancel()
		}
		if err := r.finish(t, tasks); err != nil {
			return err
		}

		// Putters waiting on a full queue, with the same cancellations.
		qs := aio.NewQueue[string](1)
		qs.PutNowait("0")
		tasks = r.spawn(t, func(t *aio.Task, name string) error {
			err := qs.Put(t, name)
			if err == nil {
				r.printf("%s put", name)
			}
			return err
		})
		aio.Sleep(t, 0)
		r.cancelAt(t, c, tasks, func() { qs.GetNowait() })
		turns(t, 4)
		for !qs.Empty() {
			v, _ := qs.GetNowait()
			r.printf("got %s", v)
			turns(t, 2)
		}
		for _, h := range tasks {
			h.Cancel()
		}
		return r.finish(t, tasks)
	},
}

// semaphore is what Semaphore and BoundedSemaphore have in common.
type semaphore interface {
	Acquire(t *aio.Task) error
	Release()
	Value() int
}

func semaphoreCase(t *aio.Task, r *handoffRun, c handoffCase, sem semaphore) error {
	sem.Acquire(t)
	sem.Acquire(t)
	tasks := r.spawn(t, func(t *aio.Task, name string) error {
		if err := sem.Acquire(t); err != nil {
			return err
		}
		defer sem.Release()
		return r.hold(t, name, 2)
	})
	aio.Sleep(t, 0)
	r.cancelAt(t, c, tasks, func() {
		sem.Release()
		sem.Release()
	})
	if err := r.finish(t, tasks); err != nil {
		return err
	}
	r.printf("most inside %d value %d", r.most, sem.Value())
	if sem.Value() != 2 {
		r.broken = append(r.broken, fmt.Sprintf("value %d at the end; want 2", sem.Value()))
	}
	return nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// handoff runs every case of kind and returns the output.
func handoff(t *testing.T, kind string) []byte {
	var out bytes.Buffer
	check(t, func(task *aio.Task) error {
		for _, c := range handoffCases {
			fmt.Fprintf(&out, "-- %s cancel %s %s\n", kind, strings.Join(c.victims, " "), c.when)
			r := &handoffRun{out: &out}
			if err := handoffKinds[kind](task, r, c); err != nil {
				return fmt.Errorf("%s %v: %w", c.when, c.victims, err)
			}
			for _, b := range r.broken {
				t.Errorf("%s, cancel %v %s: %s", kind, c.victims, c.when, b)
			}
		}
		return nil
	})
	return out.Bytes()
}

func testHandoff(t *testing.T, kind string) {
	got := handoff(t, kind)
	testbound.MatchesFile(t, got, "testdata/handoff_"+kind+".txt")
	out, ok := testbound.Python(t, "testdata/handoff.py", kind)
	if !ok {
		return
	}
	if bytes.HasPrefix(out, []byte("#")) {
		t.Logf("python3: %s", bytes.TrimSpace(out))
		return
	}
	if !bytes.Equal(got, out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got, out)
	}
}

func TestLockHandoff(t *testing.T)             { testHandoff(t, "lock") }
func TestSemaphoreHandoff(t *testing.T)        { testHandoff(t, "semaphore") }
func TestBoundedSemaphoreHandoff(t *testing.T) { testHandoff(t, "bounded") }
func TestConditionHandoff(t *testing.T)        { testHandoff(t, "condition") }
func TestEventHandoff(t *testing.T)            { testHandoff(t, "event") }
func TestQueueHandoff(t *testing.T)            { testHandoff(t, "queue") }

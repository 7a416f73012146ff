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
// Each case runs twice: with waiters whose bodies are direct-mode ones,
// and with lowered ones (scripts stepping the primitives' resumable
// operations, as a body the rewriter lowered does); the output must be
// the same.

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
	lowered bool // the waiters are lowered bodies
	out     io.Writer
	inside  int
	most    int
	broken  []string // invariant violations
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
	r.enter(name, limit)
	err := turns(t, 2)
	r.leave(name)
	return err
}

func (r *handoffRun) enter(name string, limit int) {
	r.inside++
	r.most = max(r.most, r.inside)
	r.printf("%s in %d", name, r.inside)
	if r.inside > limit {
		r.printf("!! more than %d inside", limit)
		r.broken = append(r.broken, fmt.Sprintf("%s: %d inside", name, r.inside))
	}
}

func (r *handoffRun) leave(name string) {
	r.inside--
	r.printf("%s out", name)
}

// holdScript adds hold's stages to a lowered body.
func (r *handoffRun) holdScript(s *script, name string, limit int) *script {
	s.do(func() { r.enter(name, limit) })
	for range 2 {
		var sl aio.Sleeper
		s.then(func(t *aio.Task) stepper { sl.Start(t, 0); return &sl }, func() error {
			if err := sl.Result(); err != nil {
				r.leave(name)
				return err
			}
			return nil
		})
	}
	return s.do(func() { r.leave(name) })
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

// spawn starts a waiter per name, whose body is body, or the lowered
// body lowered makes.
func (r *handoffRun) spawn(t *aio.Task, body func(t *aio.Task, name string) error, lowered func(name string) *script) []*aio.Handle[unit] {
	var tasks []*aio.Handle[unit]
	for _, n := range handoffNames {
		c := aio.Async(func(t *aio.Task) (unit, error) { return unit{}, body(t, n) })
		if r.lowered {
			c.Close()
			c = aio.FromMachine[unit](lowered(n))
		}
		tasks = append(tasks, aio.CreateTask(t, c))
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
		}, func(name string) *script {
			var a aio.LockAcquire
			s := new(script)
			s.then(func(t *aio.Task) stepper { a.Start(t, &mu); return &a }, func() error {
				if err := a.Result(); err != nil {
					return err
				}
				s.deferred(mu.Release)
				return nil
			})
			return r.holdScript(s, name, 1)
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
		}, func(name string) *script {
			var a aio.LockAcquire
			var w aio.ConditionWait
			s := new(script)
			s.then(func(t *aio.Task) stepper { a.StartCondition(t, cond); return &a }, func() error {
				if err := a.Result(); err != nil {
					return err
				}
				s.deferred(cond.Release)
				return nil
			})
			s.then(func(t *aio.Task) stepper { w.Start(t, cond); return &w }, w.Result)
			s.do(func() { r.printf("%s notified", name) })
			return r.holdScript(s, name, 1)
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
		}, func(name string) *script {
			var w aio.EventWait
			s := new(script)
			s.then(func(t *aio.Task) stepper { w.Start(t, &ev); return &w }, w.Result)
			return s.do(func() { r.printf("%s woke", name) })
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
		}, func(name string) *script {
			var g aio.QueueGet[int]
			return new(script).then(func(t *aio.Task) stepper { g.Start(t, q); return &g }, func() error {
				v, err := g.Result()
				if err == nil {
					r.printf("%s got %d", name, v)
				}
				return err
			})
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
		}, func(name string) *script {
			var p aio.QueuePut[string]
			return new(script).then(func(t *aio.Task) stepper { p.Start(t, qs, name); return &p }, func() error {
				err := p.Result()
				if err == nil {
					r.printf("%s put", name)
				}
				return err
			})
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
	}, func(name string) *script {
		var a aio.SemaphoreAcquire
		s := new(script)
		s.then(func(t *aio.Task) stepper {
			switch x := sem.(type) {
			case *aio.Semaphore:
				a.Start(t, x)
			case *aio.BoundedSemaphore:
				a.StartBounded(t, x)
			}
			return &a
		}, func() error {
			if err := a.Result(); err != nil {
				return err
			}
			s.deferred(sem.Release)
			return nil
		})
		return r.holdScript(s, name, 2)
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

// handoff runs every case of kind, with lowered waiters or direct-mode
// ones, and returns the output.
func handoff(t *testing.T, kind string, lowered bool) []byte {
	var out bytes.Buffer
	check(t, func(task *aio.Task) error {
		for _, c := range handoffCases {
			fmt.Fprintf(&out, "-- %s cancel %s %s\n", kind, strings.Join(c.victims, " "), c.when)
			r := &handoffRun{out: &out, lowered: lowered}
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
	got := handoff(t, kind, false)
	testbound.MatchesFile(t, got, "testdata/handoff_"+kind+".txt")
	if lowered := handoff(t, kind, true); !bytes.Equal(lowered, got) {
		t.Errorf("lowered waiters differ from direct ones\ndirect:\n%s\nlowered:\n%s", got, lowered)
	}
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

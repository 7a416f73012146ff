package aio_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// mustPanic returns an error unless f panics with a message containing
// want.
func mustPanic(want string, f func()) (err error) {
	defer func() {
		v := recover()
		if s, _ := v.(string); !strings.Contains(s, want) {
			err = fmt.Errorf("panic %v; want %q", v, want)
		}
	}()
	f()
	return nil
}

func TestLock(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		var mu aio.Lock
		worker := func(name string) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				if err := mu.Acquire(t); err != nil {
					return 0, err
				}
				defer mu.Release()
				log = append(log, name+" in")
				err := aio.Sleep(t, time.Second)
				log = append(log, name+" out")
				return 0, err
			})
		}
		if _, err := aio.Gather(t, worker("a"), worker("b"), worker("c")); err != nil {
			return err
		}
		if t.Loop().Now() != time.Unix(3, 0) || mu.Locked() {
			return fmt.Errorf("at %v, locked %v", t.Loop().Now(), mu.Locked())
		}
		// A waiter cancelled while waiting does not get the lock.
		mu.Acquire(t)
		w := aio.CreateTask(t, worker("cancelled"))
		aio.Sleep(t, 0)
		w.Cancel()
		if _, err := aio.Await(t, w); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled waiter: %v", err)
		}
		mu.Release()
		if mu.Locked() {
			return errors.New("lock held after the cancelled waiter")
		}
		// A waiter woken and then cancelled before it runs passes the
		// lock on.
		mu.Acquire(t)
		w1 := aio.CreateTask(t, worker("w1"))
		w2 := aio.CreateTask(t, worker("w2"))
		aio.Sleep(t, 0)
		mu.Release() // wakes w1
		w1.Cancel()  // before it runs
		if _, err := aio.Await(t, w2); err != nil {
			return fmt.Errorf("w2: %v", err)
		}
		if _, err := aio.Await(t, w1); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("w1: %v", err)
		}
		return mustPanic("unlocked Lock", mu.Release)
	})
	if got := strings.Join(log, " "); got != "a in a out b in b out c in c out w2 in w2 out" {
		t.Fatalf("log %q", got)
	}
}

func TestPrimitiveOfAnotherLoop(t *testing.T) {
	var mu aio.Lock
	check(t, func(t *aio.Task) error {
		mu.Acquire(t)
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, mu.Acquire(t) }))
		aio.Sleep(t, 0)
		h.Cancel()
		aio.Await(t, h)
		return nil
	})
	check(t, func(t *aio.Task) error {
		if err := mu.Acquire(t); !errors.Is(err, aio.ErrDifferentLoop) {
			return fmt.Errorf("Acquire from another loop: %v", err)
		}
		return nil
	})
}

func TestEvent(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var ev aio.Event
		var woke []int64
		waiter := aio.Async(func(t *aio.Task) (int, error) {
			err := ev.Wait(t)
			woke = append(woke, t.Loop().Now().Unix())
			return 0, err
		})
		waiter2 := aio.Async(func(t *aio.Task) (int, error) {
			err := ev.Wait(t)
			woke = append(woke, t.Loop().Now().Unix())
			return 0, err
		})
		t.Loop().CallLater(2*time.Second, ev.Set)
		if _, err := aio.Gather(t, waiter, waiter2); err != nil {
			return err
		}
		if !slices.Equal(woke, []int64{2, 2}) || !ev.IsSet() {
			return fmt.Errorf("woke at %v", woke)
		}
		if err := ev.Wait(t); err != nil || t.Loop().Now().Unix() != 2 {
			return fmt.Errorf("Wait on a set event: %v", err)
		}
		ev.Clear()
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, ev.Wait(t) }))
		t.Loop().CallLater(time.Second, func() { h.Cancel() })
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled Wait: %v", err)
		}
		return nil
	})
}

func TestCondition(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		cond := aio.NewCondition(nil)
		items := 0
		consumer := func(name string) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				if err := cond.Acquire(t); err != nil {
					return 0, err
				}
				defer cond.Release()
				if err := cond.WaitFor(t, func() bool { return items > 0 }); err != nil {
					return 0, err
				}
				items--
				log = append(log, fmt.Sprintf("%s@%d", name, t.Loop().Now().Unix()))
				return 0, nil
			})
		}
		producer := aio.Async(func(t *aio.Task) (int, error) {
			for i := 1; i <= 2; i++ {
				aio.Sleep(t, time.Second)
				cond.Acquire(t)
				items++
				cond.Notify(1)
				cond.Release()
			}
			aio.Sleep(t, time.Second)
			cond.Acquire(t)
			cond.NotifyAll() // nobody waits: no effect
			cond.Release()
			return 0, nil
		})
		if _, err := aio.Gather(t, consumer("x"), consumer("y"), producer); err != nil {
			return err
		}
		// Cancelled while waiting: the lock is held again on return.
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			cond.Acquire(t)
			defer cond.Release()
			err := cond.Wait(t)
			if !cond.Locked() {
				return 0, errors.New("lock not held after a cancelled Wait")
			}
			return 0, err
		}))
		aio.Sleep(t, 0)
		h.Cancel()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled Wait: %v", err)
		}
		// A notified waiter cancelled before it runs passes the
		// notification on.
		got := 0
		waiter := func() *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				cond.Acquire(t)
				defer cond.Release()
				if err := cond.Wait(t); err != nil {
					return 0, err
				}
				got++
				return 0, nil
			})
		}
		w1, w2 := aio.CreateTask(t, waiter()), aio.CreateTask(t, waiter())
		aio.Sleep(t, 0)
		cond.Acquire(t)
		cond.Notify(1)
		w1.Cancel()
		cond.Release()
		aio.GatherErrors[int](t, w1, w2)
		if got != 1 || !w1.Cancelled() {
			return fmt.Errorf("notification lost: got %d, w1 cancelled %v", got, w1.Cancelled())
		}
		if err := mustPanic("without the lock", func() { cond.Notify(1) }); err != nil {
			return err
		}
		return mustPanic("without the lock", func() { cond.Wait(t) })
	})
	if got := strings.Join(log, " "); got != "x@1 y@2" {
		t.Fatalf("log %q", got)
	}
}

func TestSemaphore(t *testing.T) {
	check(t, func(t *aio.Task) error {
		sem := aio.NewSemaphore(2)
		active, peak := 0, 0
		mk := func() *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				if err := sem.Acquire(t); err != nil {
					return 0, err
				}
				defer sem.Release()
				active++
				peak = max(peak, active)
				err := aio.Sleep(t, time.Second)
				active--
				return 0, err
			})
		}
		if _, err := aio.Gather(t, mk(), mk(), mk(), mk(), mk()); err != nil {
			return err
		}
		if peak != 2 || t.Loop().Now() != time.Unix(3, 0) || sem.Value() != 2 || sem.Locked() {
			return fmt.Errorf("peak %d at %v value %d", peak, t.Loop().Now(), sem.Value())
		}
		// Woken, then cancelled before running: the slot goes to the next.
		sem.Acquire(t)
		sem.Acquire(t)
		w1, w2 := aio.CreateTask(t, mk()), aio.CreateTask(t, mk())
		aio.Sleep(t, 0)
		sem.Release()
		w1.Cancel()
		if _, err := aio.Await(t, w2); err != nil {
			return fmt.Errorf("w2: %v", err)
		}
		if _, err := aio.Await(t, w1); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("w1: %v", err)
		}
		sem.Release()
		if sem.Value() != 2 {
			return fmt.Errorf("value %d; want 2", sem.Value())
		}
		if err := mustPanic("negative", func() { aio.NewSemaphore(-1) }); err != nil {
			return err
		}
		b := aio.NewBoundedSemaphore(1)
		if err := b.Acquire(t); err != nil || !b.Locked() || b.Value() != 0 {
			return fmt.Errorf("bounded acquire: %v", err)
		}
		b.Release()
		return mustPanic("too many times", b.Release)
	})
}

func TestQueue(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		q := aio.NewQueue[int](2)
		if q.Maxsize() != 2 || !q.Empty() || q.Full() {
			return errors.New("new queue")
		}
		producer := aio.Async(func(t *aio.Task) (int, error) {
			for i := range 5 {
				if err := q.Put(t, i); err != nil {
					return 0, err
				}
				log = append(log, fmt.Sprintf("put%d@%d", i, t.Loop().Now().Unix()))
			}
			return 0, nil
		})
		consumer := aio.Async(func(t *aio.Task) (int, error) {
			for range 5 {
				aio.Sleep(t, time.Second)
				v, err := q.Get(t)
				if err != nil {
					return 0, err
				}
				log = append(log, fmt.Sprintf("get%d@%d", v, t.Loop().Now().Unix()))
				q.TaskDone()
			}
			return 0, nil
		})
		joiner := aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, 0)
			err := q.Join(t)
			log = append(log, fmt.Sprintf("joined@%d", t.Loop().Now().Unix()))
			return 0, err
		})
		if _, err := aio.Gather(t, producer, consumer, joiner); err != nil {
			return err
		}
		if err := q.Join(t); err != nil {
			return err
		}
		if _, err := q.GetNowait(); !errors.Is(err, aio.ErrQueueEmpty) {
			return fmt.Errorf("GetNowait: %v", err)
		}
		q.PutNowait(1)
		q.PutNowait(2)
		if err := q.PutNowait(3); !errors.Is(err, aio.ErrQueueFull) || q.Len() != 2 {
			return fmt.Errorf("PutNowait: %v", err)
		}
		// Cancelled while waiting to put or get.
		p := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, q.Put(t, 9) }))
		aio.Sleep(t, 0)
		p.Cancel()
		if _, err := aio.Await(t, p); !errors.Is(err, aio.ErrCancelled) || q.Len() != 2 {
			return fmt.Errorf("cancelled Put: %v", err)
		}
		q.GetNowait()
		q.GetNowait()
		q.TaskDone()
		q.TaskDone()
		g := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return q.Get(t) }))
		aio.Sleep(t, 0)
		g.Cancel()
		if _, err := aio.Await(t, g); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled Get: %v", err)
		}
		// A getter woken and cancelled before it runs hands the item on.
		g1 := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return q.Get(t) }))
		g2 := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return q.Get(t) }))
		aio.Sleep(t, 0)
		q.PutNowait(42)
		g1.Cancel()
		if v, err := aio.Await(t, g2); v != 42 || err != nil {
			return fmt.Errorf("g2: %v %v", v, err)
		}
		q.TaskDone()
		return mustPanic("too many times", q.TaskDone)
	})
	want := "put0@0 put1@0 get0@1 put2@1 get1@2 put3@2 get2@3 put4@3 get3@4 get4@5 joined@5"
	if got := strings.Join(log, " "); got != want {
		t.Fatalf("log\n%s\nwant\n%s", got, want)
	}
}

func TestLifoAndPriorityQueues(t *testing.T) {
	check(t, func(t *aio.Task) error {
		lifo := aio.NewLifoQueue[int](0)
		pq := aio.NewPriorityQueue(0, func(a, b int) bool { return a < b })
		for _, v := range []int{3, 1, 4, 1, 5, 9, 2, 6} {
			lifo.Put(t, v)
			pq.Put(t, v)
		}
		var l, p []int
		for !lifo.Empty() {
			v, _ := lifo.Get(t)
			l = append(l, v)
			w, _ := pq.Get(t)
			p = append(p, w)
		}
		if !slices.Equal(l, []int{6, 2, 9, 5, 1, 4, 1, 3}) || !slices.Equal(p, []int{1, 1, 2, 3, 4, 5, 6, 9}) {
			return fmt.Errorf("lifo %v, priority %v", l, p)
		}
		if lifo.Full() || lifo.Maxsize() != 0 {
			return errors.New("unbounded queue full")
		}
		return nil
	})
}

func TestFutureSetters(t *testing.T) {
	check(t, func(t *aio.Task) error {
		f := aio.NewFuture[string](t.Loop())
		if f.Loop() != t.Loop() || f.Err() != nil || f.Done() {
			return errors.New("new future")
		}
		var cb []string
		f.AddDoneCallback(func(f *aio.Future[string]) { v, _ := f.Result(); cb = append(cb, v) })
		t.Loop().CallLater(time.Second, func() { f.SetResult("x") })
		if v, err := aio.Await[string](t, f); v != "x" || err != nil {
			return fmt.Errorf("await: %v %v", v, err)
		}
		if err := f.SetResult("y"); !errors.Is(err, aio.ErrInvalidState) {
			return fmt.Errorf("second SetResult: %v", err)
		}
		if err := f.SetErr(errors.New("e")); !errors.Is(err, aio.ErrInvalidState) {
			return fmt.Errorf("SetErr on done: %v", err)
		}
		g := aio.NewFuture[string](t.Loop())
		if err := g.SetErr(nil); !errors.Is(err, aio.ErrInvalidState) {
			return fmt.Errorf("SetErr(nil): %v", err)
		}
		boom := errors.New("boom")
		g.SetErr(boom)
		if _, err := aio.Await[string](t, g); err != boom || g.Err() != boom || g.String() != "<Future finished err=boom>" {
			return fmt.Errorf("failed future: %v %s", err, g)
		}
		c := aio.NewFuture[string](t.Loop())
		t.Loop().CallLater(time.Second, func() { c.Cancel() })
		if _, err := aio.Await[string](t, c); !errors.Is(err, aio.ErrCancelled) || !c.Cancelled() || c.Cancel() {
			return fmt.Errorf("cancelled future: %v", err)
		}
		aio.Sleep(t, 0)
		if !slices.Equal(cb, []string{"x"}) {
			return fmt.Errorf("callbacks %v", cb)
		}
		// A task awaiting a future is cancelled: the future is cancelled.
		h := aio.NewFuture[int](t.Loop())
		w := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return aio.Await[int](t, h) }))
		aio.Sleep(t, 0)
		w.Cancel()
		aio.Await(t, w)
		if !h.Cancelled() {
			return errors.New("awaited future not cancelled")
		}
		// A future of another loop.
		other := aio.NewLoop()
		defer other.Close()
		if _, err := aio.Await[int](t, aio.NewFuture[int](other)); !errors.Is(err, aio.ErrDifferentLoop) {
			return fmt.Errorf("other loop's future: %v", err)
		}
		return nil
	})
}

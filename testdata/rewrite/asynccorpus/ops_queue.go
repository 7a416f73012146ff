package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Queue's Get, Put and Join as resume points of lowered bodies, with a
// getter cancelled while it waits, one cancelled just after an item was
// put for it (the wakeup is passed on), and a putter cancelled on a full
// queue.

// opsConsumer takes items until it gets a negative one, marking each
// done after d ms.
//
//asyncgo:async
func opsConsumer(name string, q *aio.Queue[int], d int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		sum := 0
		for {
			v, err := q.Get(t)
			if err != nil {
				logf(l, "%s: get %v (len %d)", name, err, q.Len())
				return sum, err
			}
			if v < 0 {
				q.TaskDone()
				return sum, nil
			}
			logf(l, "%s: got %d", name, v)
			err = aio.Sleep(t, time.Duration(d)*time.Millisecond)
			q.TaskDone()
			if err != nil {
				return sum, err
			}
			sum += v
		}
	})
}

// opsProducer puts n items, then logs.
//
//asyncgo:async
func opsProducer(name string, q *aio.Queue[int], first, n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		for i := range n {
			if err := q.Put(t, first+i); err != nil {
				logf(t.Loop(), "%s: put %v (len %d)", name, err, q.Len())
				return i, err
			}
		}
		logf(t.Loop(), "%s: put %d", name, n)
		return n, nil
	})
}

// opsQueueMain runs producers and consumers over a queue of size 2.
//
//asyncgo:async
func opsQueueMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		q := aio.NewQueue[int](2)
		idle := aio.CreateTask(t, opsConsumer("idle", q, 1))
		early := aio.CreateTask(t, opsConsumer("early", q, 1))
		aio.Sleep(t, 0)
		idle.Cancel() // waiting on the empty queue
		if err := q.Put(t, 100); err != nil {
			return "", err
		}
		early.Cancel() // woken for the item, cancelled before it runs: the item stays
		aio.Sleep(t, 0)
		logf(l, "after the cancelled getters: len %d", q.Len())
		cs := []*aio.Handle[int]{
			aio.CreateTask(t, opsConsumer("c1", q, 3)),
			aio.CreateTask(t, opsConsumer("c2", q, 5)),
		}
		ps := []*aio.Handle[int]{
			aio.CreateTask(t, opsProducer("p1", q, 1, 4)),
			aio.CreateTask(t, opsProducer("p2", q, 10, 4)),
		}
		if err := q.Join(t); err != nil {
			return "", err
		}
		logf(l, "joined: len %d", q.Len())
		for range cs {
			q.Put(t, -1)
		}
		_, _, err := aio.Wait(t, append(cs, ps...), aio.AllCompleted)
		for _, h := range append(append([]*aio.Handle[int]{idle, early}, cs...), ps...) {
			v, err := h.Result()
			logf(l, "%v %v", v, err)
		}
		// A putter on a full queue, cancelled while it waits; then one
		// woken by a get and cancelled before it runs.
		full := aio.NewQueue[string](1)
		full.PutNowait("x")
		p1 := aio.CreateTask(t, opsPutString(full, "p1"))
		p2 := aio.CreateTask(t, opsPutString(full, "p2"))
		p3 := aio.CreateTask(t, opsPutString(full, "p3"))
		aio.Sleep(t, 0)
		p1.Cancel()
		v, _ := full.Get(t)
		p2.Cancel()
		_, err1 := aio.Await(t, p1)
		_, err2 := aio.Await(t, p2)
		_, err3 := aio.Await(t, p3)
		w, _ := full.Get(t)
		logf(l, "full: got %s then %s; putters %v %v %v", v, w, err1, err2, err3)
		return fmt.Sprint(q.Len(), full.Len()), err
	})
}

// opsPutString puts s in q.
//
//asyncgo:async
func opsPutString(q *aio.Queue[string], s string) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		err := q.Put(t, s)
		return err == nil, err
	})
}

var _ = register("ops_queue", func() { run(opsQueueMain()) })

// opsDrain takes n items of any type from q and gathers the tasks that
// echo them: a generic body, whose resume points' types are its type
// parameter's.
//
//asyncgo:async
func opsDrain[T any](q *aio.Queue[T], n int) *aio.Coroutine[[]T] {
	return aio.Async(func(t *aio.Task) ([]T, error) {
		var cs []aio.Awaitable[T]
		for range n {
			v, err := q.Get(t)
			if err != nil {
				return nil, err
			}
			q.TaskDone()
			cs = append(cs, opsEcho(v))
		}
		if err := q.Join(t); err != nil {
			return nil, err
		}
		return aio.Gather(t, cs...)
	})
}

// opsEcho returns v after a turn.
//
//asyncgo:async
func opsEcho[T any](v T) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		err := aio.Sleep(t, 0)
		return v, err
	})
}

var _ = register("ops_queue_generic", func() {
	q := aio.NewQueue[string](0)
	for _, s := range []string{"a", "b", "c"} {
		q.PutNowait(s)
	}
	run(opsDrain(q, 3))
})

package aio

import (
	"iter"
	"time"
)

// ReturnWhen says when Wait returns.
type ReturnWhen int

const (
	AllCompleted   ReturnWhen = iota // when every future is done
	FirstCompleted                   // when any future is done
	FirstException                   // when any future fails, or else when all are done
)

// String returns Python's name of the condition.
func (w ReturnWhen) String() string {
	switch w {
	case AllCompleted:
		return "ALL_COMPLETED"
	case FirstCompleted:
		return "FIRST_COMPLETED"
	case FirstException:
		return "FIRST_EXCEPTION"
	}
	return "ReturnWhen(?)"
}

// Wait suspends t until the futures or tasks fs satisfy when and returns
// those done and those pending, each in the order given (Python's
// asyncio.wait). It does not cancel anything: if t is cancelled it
// returns ErrCancelled and leaves fs running.
func Wait[F Waitable](t *Task, fs []F, when ReturnWhen) (done, pending []F, err error) {
	return wait(t, fs, when, -1)
}

// WaitTimeout is Wait that also returns, without an error, once d has
// passed (Python's asyncio.wait with a timeout).
func WaitTimeout[F Waitable](t *Task, fs []F, when ReturnWhen, d time.Duration) (done, pending []F, err error) {
	return wait(t, fs, when, max(d, 0))
}

// waiting is the subscriber of Wait: it resolves its waiter once the
// condition holds.
type waiting struct {
	waiter  fut
	when    ReturnWhen
	pending int
}

func (w *waiting) notify(f *fut) {
	w.pending--
	if w.waiter.done() {
		return
	}
	if w.pending == 0 || w.when == FirstCompleted || w.when == FirstException && f.state == fFinished && f.err != nil {
		w.waiter.resolve(nil, "")
	}
}

func wait[F Waitable](t *Task, fs []F, when ReturnWhen, d time.Duration) (done, pending []F, err error) {
	if len(fs) > 0 {
		// As Python's, every future is watched, those done already too:
		// the condition is checked as their notifications come, in the
		// turns after they complete.
		w := &waiting{waiter: fut{loop: t.loop}, when: when}
		seen := make(map[*fut]bool, len(fs))
		for _, f := range fs {
			if b := f.base(); !seen[b] {
				seen[b] = true
				w.pending++
				b.subscribe(w)
			}
		}
		var tm *Timer
		if d >= 0 {
			tm = t.loop.CallLater(d, func() {
				if !w.waiter.done() {
					w.waiter.resolve(nil, "")
				}
			})
		}
		err = awaitSignal(t, &w.waiter)
		if tm != nil {
			tm.Cancel()
		}
		for b := range seen {
			b.unsubscribe(w)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	for _, f := range fs {
		if f.Done() {
			done = append(done, f)
		} else {
			pending = append(pending, f)
		}
	}
	return done, pending, nil
}

// completions is the subscriber of AsCompleted: it queues the futures as
// they complete and wakes the iterating task.
type completions struct {
	queue []*fut
	w     waker
}

func (c *completions) notify(f *fut) {
	c.queue = append(c.queue, f)
	if c.w.t != nil {
		f.loop.wake(c.w)
		c.w = waker{}
	}
}

// AsCompleted yields the futures or tasks fs as they complete, those
// already done first (Python's asyncio.as_completed, iterated
// asynchronously as in Python 3.13): read each one's outcome with its
// Result or Err. A future given twice is yielded once. The loop between
// two items runs inside t and may suspend it. If t is cancelled while it
// waits for the next future, AsCompleted yields ErrCancelled (with a zero
// F) and stops; fs are not cancelled. Put it in a Timeout block for a
// time limit.
func AsCompleted[F Waitable](t *Task, fs []F) iter.Seq2[F, error] {
	return func(yield func(F, error) bool) {
		byFut := make(map[*fut]F, len(fs))
		var order []*fut
		for _, f := range fs {
			b := f.base()
			if _, dup := byFut[b]; dup {
				continue
			}
			byFut[b] = f
			order = append(order, b)
		}
		// As Python's, every future is watched, those done already too:
		// each is queued in the turn after it completes.
		c := &completions{}
		for _, b := range order {
			b.subscribe(c)
		}
		defer func() {
			for _, b := range order {
				b.unsubscribe(c)
			}
		}()
		for remaining := len(order); remaining > 0; remaining-- {
			if len(c.queue) == 0 {
				t.seq++
				c.w = waker{t, t.seq}
				err := t.park()
				c.w = waker{}
				if err != nil {
					var zero F
					yield(zero, err)
					return
				}
			}
			b := c.queue[0]
			c.queue = c.queue[1:]
			if !yield(byFut[b], nil) {
				return
			}
		}
	}
}

// shielding copies the inner future's outcome to the outer one, unless
// the outer one was cancelled.
type shielding[R any] struct {
	inner result[R]
	outer *Future[R]
}

func (s *shielding[R]) notify(*fut) {
	if s.outer.Done() {
		return // the shield was cancelled: the outcome is the inner one's own
	}
	b := s.inner.base()
	switch {
	case b.state == fCancelled:
		s.outer.Cancel()
	case b.err != nil:
		s.outer.SetErr(b.retrieve())
	default:
		s.outer.SetResult(s.inner.value())
	}
}

// Shield awaits a while protecting it from cancellation (Python's
// asyncio.shield): if t is cancelled, Shield returns ErrCancelled but a
// (scheduled as a task if it is a coroutine) carries on. Cancelling a
// itself still cancels it, and t then gets ErrCancelled.
func Shield[R any](t *Task, a Awaitable[R]) (R, error) {
	inner := a.ensure(t.loop, nil)
	if inner.Done() {
		return awaitResult(t, inner)
	}
	outer := NewFuture[R](t.loop)
	inner.base().subscribe(&shielding[R]{inner, outer})
	return awaitResult(t, outer)
}

package aio

import "time"

// Timer is a call scheduled by CallLater or CallAt (Python's
// TimerHandle). Its methods must be called on the loop's goroutine.
type Timer struct {
	loop  *Loop
	when  int64  // loop clock, nanoseconds
	order uint64 // ties are broken in scheduling order
	fn    func()
	after *afterFuture // or After's future to complete
	// Or the task to wake, for Sleep: a waker's fields, laid out with the
	// others so that After's future and timer fit in 144 bytes.
	wakeTask  *Task
	wakeSeq   uint32
	idx       int32 // index in the loop's heap, -1 when not in it
	queued    bool  // in the ready queue: due, not yet run
	cancelled bool
}

// When returns the time the call is scheduled for, on the loop's clock.
func (tm *Timer) When() time.Time { return tm.loop.epoch.Add(time.Duration(tm.when)) }

// Cancel cancels the call if it has not run and reports whether it did
// (Python's Handle.cancel): a call that is due but waits in the ready
// queue for its turn is skipped.
func (tm *Timer) Cancel() bool {
	switch {
	case tm.queued:
		tm.queued = false
	case tm.idx >= 0:
		tm.loop.timers.remove(tm)
	default:
		return false
	}
	tm.cancelled = true
	return true
}

// Cancelled reports whether Cancel cancelled the call.
func (tm *Timer) Cancelled() bool { return tm.cancelled }

// CallLater schedules f to be called on the loop after d (Python's
// loop.call_later). Calls due at the same time run in the order they were
// scheduled.
func (l *Loop) CallLater(d time.Duration, f func()) *Timer {
	return l.callAt(l.clock()+int64(max(d, 0)), f)
}

// CallAt schedules f to be called on the loop at when, a time of the
// loop's clock (see Loop.Now).
func (l *Loop) CallAt(when time.Time, f func()) *Timer {
	return l.callAt(int64(when.Sub(l.epoch)), f)
}

// callSoon is CallSoon with a Timer to cancel the call.
func (l *Loop) callSoon(f func()) *Timer {
	tm := &Timer{loop: l, when: l.clock(), fn: f, idx: -1, queued: true}
	l.ready.push(entry{s: tm})
	return tm
}

// notify runs the call of a Timer taken from the ready queue, unless it
// was cancelled meanwhile: it wakes a sleeping task, which then runs in
// the next turn, as asyncio's sleep resumes its task in the turn after
// its timer's callback.
func (tm *Timer) notify(*fut) {
	if !tm.queued {
		return
	}
	tm.queued = false
	if tm.fn != nil {
		tm.loop.runCallback(tm.fn)
		return
	}
	if a := tm.after; a != nil {
		a.SetResult(struct{}{})
		return
	}
	w := waker{tm.wakeTask, tm.wakeSeq}
	tm.wakeTask = nil
	tm.loop.wake(w)
}

func (l *Loop) callAt(when int64, f func()) *Timer {
	tm := &Timer{loop: l, when: when, fn: f, idx: -1}
	l.timers.push(tm)
	return tm
}

// Sleep suspends the task t for d (Python's asyncio.sleep). Sleep(t, 0)
// just lets the other ready tasks run. It returns ErrCancelled if t is
// cancelled while it sleeps.
func Sleep(t *Task, d time.Duration) error {
	if d <= 0 {
		return t.yield()
	}
	t.mustSuspend()
	tm := &t.extra().sleep
	t.armSleep(tm, d)
	err := t.park()
	if err == nil && tm.pending() {
		// Woken before its timer by a cancellation that was withdrawn
		// (Uncancel) before the task ran: it was delivered all the same,
		// as Python's sleep finds its future cancelled.
		err = ErrCancelled
	}
	tm.Cancel() // due but cancelled: the queued wake-up does nothing
	return err
}

// armSleep schedules tm to wake the task t after d: Sleep's timer, or a
// lowered Sleeper's. t then parks with no future, until the timer or a
// cancellation wakes it.
func (t *Task) armSleep(tm *Timer, d time.Duration) {
	l := t.loop
	t.seq++
	*tm = Timer{loop: l, when: l.clock() + int64(d), wakeTask: t, wakeSeq: t.seq, idx: -1}
	l.timers.push(tm)
}

// pending reports whether the timer has neither run nor been cancelled.
func (tm *Timer) pending() bool { return tm.idx >= 0 || tm.queued }

// fire queues a due timer's call, or the wake-up of its task.
func (l *Loop) fire(tm *Timer) {
	tm.queued = true
	l.ready.push(entry{s: tm})
}

// timerHeap is a min-heap of timers by (when, order), keeping each
// timer's index so that a cancelled one is removed at once.
type timerHeap struct {
	h     []*Timer
	order uint64
}

func (q *timerHeap) len() int { return len(q.h) }

func (q *timerHeap) less(i, j int) bool {
	a, b := q.h[i], q.h[j]
	return a.when < b.when || a.when == b.when && a.order < b.order
}

func (q *timerHeap) swap(i, j int) {
	q.h[i], q.h[j] = q.h[j], q.h[i]
	q.h[i].idx, q.h[j].idx = int32(i), int32(j)
}

func (q *timerHeap) push(tm *Timer) {
	q.order++
	tm.order = q.order
	tm.idx = int32(len(q.h))
	q.h = append(q.h, tm)
	q.up(int(tm.idx))
}

// pop removes and returns the earliest timer.
func (q *timerHeap) pop() *Timer {
	tm := q.h[0]
	q.remove(tm)
	return tm
}

func (q *timerHeap) remove(tm *Timer) {
	i, n := int(tm.idx), len(q.h)-1
	if i != n {
		q.swap(i, n)
	}
	q.h[n] = nil
	q.h = q.h[:n]
	if i != n {
		if !q.down(i) {
			q.up(i)
		}
	}
	tm.idx = -1
}

func (q *timerHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !q.less(j, i) {
			break
		}
		q.swap(i, j)
		j = i
	}
}

func (q *timerHeap) down(i0 int) bool {
	i, n := i0, len(q.h)
	for {
		j := 2*i + 1
		if j >= n {
			break
		}
		if r := j + 1; r < n && q.less(r, j) {
			j = r
		}
		if !q.less(j, i) {
			break
		}
		q.swap(i, j)
		i = j
	}
	return i > i0
}

// After returns a future that the loop completes after d: Sleep for
// bodies that suspend on futures (see Machine). Cancelling the future
// cancels its timer, as completing it otherwise does.
func After(l *Loop, d time.Duration) *Future[struct{}] {
	a := &afterFuture{}
	a.f.loop, a.f.ctl = l, a
	a.tm = Timer{loop: l, when: l.clock() + int64(max(d, 0)), idx: -1, after: a}
	l.timers.push(&a.tm)
	return &a.Future
}

// afterFuture is After's future and its timer, in one allocation: a
// lowered task asleep holds one.
type afterFuture struct {
	Future[struct{}]
	tm Timer
}

// cancel implements canceler: cancelling the future stops its timer.
func (a *afterFuture) cancel() bool {
	a.tm.Cancel()
	a.f.state, a.f.err = fCancelled, ErrCancelled
	a.f.complete()
	return true
}

// stopTimer stops the timer of an After future completed by hand (with
// SetResult or SetErr), which no longer needs it.
func (x *Future[R]) stopTimer() {
	if a, ok := x.f.ctl.(*afterFuture); ok {
		a.tm.Cancel()
	}
}

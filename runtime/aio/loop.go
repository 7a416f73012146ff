package aio

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// Loop is an event loop: Python's asyncio event loop. It runs tasks and
// callbacks one at a time on the goroutine that calls RunUntilComplete
// (or RunForever), along with timers and the completions of I/O and
// executor work done on other goroutines.
//
// A loop's methods must be called on the goroutine running it (from its
// tasks and callbacks) or, when it is not running, by its owner; the
// exceptions are CallSoonThreadsafe, which any goroutine may call, and
// IsRunning and IsClosed. Make one with NewLoop, or let Run make it.
type Loop struct {
	ready   ring
	timers  timerHeap
	epoch   time.Time // the loop's clock reads epoch + clock()
	virtual bool
	vnow    int64 // the virtual clock, nanoseconds since epoch

	running  atomic.Bool
	closed   atomic.Bool
	stopping bool
	current  *Task // the task being stepped
	taskSeq  uint64
	tasks    *Task // live tasks, a doubly linked list
	idle     []*runner

	// Work posted from other goroutines.
	tsMu     sync.Mutex
	tsq      []func()
	tsSpare  []func()
	tsClosed bool
	tsHas    atomic.Bool
	wakeCh   chan struct{}
	waitTm   *time.Timer
	pending  int // I/O and executor operations in flight: they hold the virtual clock
	helpers  sync.WaitGroup
	io       ioState
	executor futures.Executor

	debug  bool
	tracks bool // the loop turned TrackCoroutines on
	slow   time.Duration
	logger *slog.Logger
	dog    *watchdog
}

// NewLoop returns a new event loop.
func NewLoop(opts ...Option) *Loop {
	l := &Loop{
		epoch:  time.Now(),
		wakeCh: make(chan struct{}, 1),
		debug:  debugEnv,
		slow:   100 * time.Millisecond,
	}
	for _, o := range opts {
		o(l)
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	return l
}

// clock reads the loop's clock: nanoseconds since epoch.
func (l *Loop) clock() int64 {
	if l.virtual {
		return l.vnow
	}
	return int64(time.Since(l.epoch))
}

// Now returns the time on the loop's clock (Python's loop.time): the
// virtual time with WithVirtualClock, else the current time with its
// monotonic reading.
func (l *Loop) Now() time.Time { return l.epoch.Add(time.Duration(l.clock())) }

// IsRunning reports whether the loop is running.
func (l *Loop) IsRunning() bool { return l.running.Load() }

// IsClosed reports whether the loop was closed.
func (l *Loop) IsClosed() bool { return l.closed.Load() }

// Debug reports whether the loop is in debug mode.
func (l *Loop) Debug() bool { return l.debug }

// CallSoon schedules f to be called on the loop at its next turn
// (Python's loop.call_soon); callbacks run in the order they were
// scheduled. A panic in f is logged and the loop carries on. The Timer
// returned cancels the call if it has not run (Python's Handle). CallSoon
// must be called on the loop's goroutine; other goroutines use
// CallSoonThreadsafe.
func (l *Loop) CallSoon(f func()) *Timer { return l.callSoon(f) }

// soon is CallSoon without a Timer, for the runtime's own calls.
func (l *Loop) soon(f func()) { l.ready.push(entry{s: callFn(f)}) }

// CallSoonThreadsafe schedules f like CallSoon, from any goroutine, and
// wakes the loop if it waits. It returns ErrLoopClosed, and f never runs,
// if the loop is closed.
func (l *Loop) CallSoonThreadsafe(f func()) error {
	l.tsMu.Lock()
	if l.tsClosed {
		l.tsMu.Unlock()
		return ErrLoopClosed
	}
	l.tsq = append(l.tsq, f)
	l.tsHas.Store(true)
	l.tsMu.Unlock()
	select {
	case l.wakeCh <- struct{}{}:
	default:
	}
	return nil
}

// CreateTask schedules the coroutine c as a task on l, like the function
// CreateTask, and returns its handle: a *Handle[R] for a *Coroutine[R]
// (Python's loop.create_task). It may be called before the loop runs.
func (l *Loop) CreateTask(c AnyCoroutine, opts ...TaskOption) Waitable { return c.spawn(l, opts) }

func (l *Loop) pushTask(t *Task) { l.ready.push(entry{s: t}) }

// wake resumes the task of w if it is still in the wait w names.
func (l *Loop) wake(w waker) {
	if t := w.t; t.parked && t.seq == w.seq {
		t.parked = false
		l.ready.push(entry{s: t})
	}
}

func (l *Loop) linkTask(t *Task) {
	t.next = l.tasks
	if l.tasks != nil {
		l.tasks.prev = t
	}
	l.tasks = t
}

func (l *Loop) unlinkTask(t *Task) {
	if t.prev != nil {
		t.prev.next = t.next
	} else if l.tasks == t {
		l.tasks = t.next
	} else {
		return // never linked
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next = nil, nil
}

// beginOp counts an operation running on another goroutine whose
// completion the loop awaits; endOp, called on the loop, ends it. They
// hold the virtual clock.
func (l *Loop) beginOp() { l.pending++ }
func (l *Loop) endOp()   { l.pending-- }

// goHelper runs f on a helper goroutine that Close waits for.
func (l *Loop) goHelper(f func()) {
	l.helpers.Add(1)
	go func() {
		defer l.helpers.Done()
		f()
	}()
}

// RunUntilComplete runs the loop until a is done and returns a's error
// (Python's loop.run_until_complete); a coroutine is first scheduled as a
// task. Read a task's or future's result with its Result method. It
// returns ErrLoopRunning if a loop is already running on this goroutine
// (from a task or callback) or this loop runs elsewhere, ErrLoopClosed
// after Close, and ErrLoopStopped if Stop ends the loop first.
func (l *Loop) RunUntilComplete(a AnyAwaitable) error {
	if err := l.enter(a); err != nil {
		return err
	}
	defer l.exit()
	w := a.waitable(l, nil)
	f := w.base()
	if f.loop != l {
		return ErrDifferentLoop
	}
	return l.runUntil(f)
}

// enter marks the loop running, or says why it cannot run.
func (l *Loop) enter(a AnyAwaitable) error {
	err := ErrLoopClosed
	switch {
	case l.closed.Load():
	case insideLoop():
		err = ErrLoopRunning
	case !l.running.CompareAndSwap(false, true):
		err = ErrLoopRunning
	default:
		runningLoops.Add(1)
		if l.debug && tracking.CompareAndSwap(nil, l.logger) {
			l.tracks = true // track coroutines while the loop runs, as Python's debug mode
		}
		return nil
	}
	if c, ok := a.(interface{ Close() }); ok {
		c.Close() // not run, but not forgotten either
	}
	return err
}

// exit marks the loop stopped.
func (l *Loop) exit() {
	if l.tracks {
		tracking.CompareAndSwap(l.logger, nil)
		l.tracks = false
	}
	runningLoops.Add(-1)
	l.running.Store(false)
}

// stopper stops the loop when the future it watches is done, in the next
// turn of the loop as Python's done callbacks run: the tasks the future's
// completion wakes get that turn first.
type stopper struct{ l *Loop }

func (s *stopper) notify(*fut) { s.l.Stop() }

func (l *Loop) runUntil(f *fut) error {
	if !f.done() {
		s := &stopper{l}
		f.subscribe(s)
		l.runForever()
		f.unsubscribe(s)
		if !f.done() {
			return ErrLoopStopped
		}
	}
	return f.retrieve()
}

// RunForever runs the loop until Stop is called (Python's
// loop.run_forever). It returns ErrLoopRunning or ErrLoopClosed as
// RunUntilComplete does.
func (l *Loop) RunForever() error {
	if err := l.enter(nil); err != nil {
		return err
	}
	defer l.exit()
	l.runForever()
	return nil
}

func (l *Loop) runForever() {
	for {
		l.runOnce()
		if l.stopping {
			break
		}
	}
	l.stopping = false
}

// Stop makes the loop return from RunForever or RunUntilComplete after
// the current turn (Python's loop.stop). Called while the loop is not
// running, it makes the next run stop after one turn.
func (l *Loop) Stop() { l.stopping = true }

// runOnce is one turn of the loop: wait for work posted by other
// goroutines until the next timer is due (or not at all if something is
// ready), move due timers to the ready queue, then run what was ready at
// the start of the turn; what those schedule runs in the next turn.
//
//go:noinline
func (l *Loop) runOnce() {
	timeout := int64(-1)
	switch {
	case l.ready.n > 0 || l.stopping:
		timeout = 0
	case l.timers.len() > 0:
		timeout = max(0, l.timers.h[0].when-l.clock())
	}
	l.poll(timeout)
	if l.timers.len() > 0 {
		now := l.clock()
		for l.timers.len() > 0 && l.timers.h[0].when <= now {
			l.fire(l.timers.pop())
		}
	}
	for n := l.ready.n; n > 0; n-- {
		e := l.ready.pop()
		switch s := e.s.(type) {
		case *Task:
			l.runTask(s)
		case callFn:
			l.runCallback(s)
		default:
			s.notify(e.f)
		}
	}
}

// poll takes the work posted by other goroutines, waiting up to timeout
// nanoseconds (forever if negative) for some if there is none.
func (l *Loop) poll(timeout int64) {
	if l.drainThreadsafe() || timeout == 0 {
		return
	}
	if l.virtual {
		if l.pending == 0 && timeout > 0 {
			l.vnow = l.timers.h[0].when // every task waits on a timer: jump
			return
		}
		timeout = -1 // the virtual clock waits for the work in flight
	}
	if timeout < 0 {
		<-l.wakeCh
	} else {
		if l.waitTm == nil {
			l.waitTm = time.NewTimer(time.Duration(timeout))
		} else {
			l.waitTm.Reset(time.Duration(timeout))
		}
		select {
		case <-l.wakeCh:
		case <-l.waitTm.C:
		}
		l.waitTm.Stop()
	}
	l.drainThreadsafe()
}

// drainThreadsafe moves posted callbacks to the ready queue and reports
// whether there were any.
func (l *Loop) drainThreadsafe() bool {
	if !l.tsHas.Load() {
		return false
	}
	l.tsMu.Lock()
	q := l.tsq
	l.tsq, l.tsSpare = l.tsSpare[:0], nil
	l.tsHas.Store(false)
	l.tsMu.Unlock()
	for i, f := range q {
		l.ready.push(entry{s: callFn(f)})
		q[i] = nil
	}
	l.tsMu.Lock()
	if l.tsSpare == nil {
		l.tsSpare = q[:0]
	}
	l.tsMu.Unlock()
	return len(q) > 0
}

func (l *Loop) runTask(t *Task) {
	l.current = t
	if l.debug {
		l.debugStep(t)
	} else {
		t.step()
	}
	l.current = nil
}

func (l *Loop) runCallback(f func()) {
	defer func() {
		if v := recover(); v != nil {
			l.logger.Error("aio: callback panicked", "callback", funcName(f), "panic", v)
		}
	}()
	if l.debug {
		l.debugCall(f)
		return
	}
	f()
}

// Close closes the loop (Python's loop.close): tasks still pending are
// unwound (their defers run, and they end cancelled), servers and
// connections opened through the loop are closed, the goroutines of its
// I/O and its default executor are waited for, and callbacks not yet run
// are dropped. Nothing of the loop is left behind. Close returns
// ErrLoopRunning if the loop is running; closing a closed loop does
// nothing.
func (l *Loop) Close() error {
	if l.running.Load() {
		return ErrLoopRunning
	}
	if l.closed.Swap(true) {
		return nil
	}
	l.tsMu.Lock()
	l.tsClosed, l.tsq = true, nil
	l.tsMu.Unlock()
	for l.tasks != nil {
		l.destroy(l.tasks)
	}
	l.io.closeAll()
	l.helpers.Wait()
	if l.executor != nil {
		l.executor.Shutdown(true, true)
	}
	for _, r := range l.idle {
		r.closing = true
		r.stop()
	}
	l.idle = nil
	l.ready, l.timers = ring{}, timerHeap{}
	if l.waitTm != nil {
		l.waitTm.Stop()
	}
	if l.dog != nil {
		l.dog.close()
	}
	return nil
}

// destroy unwinds a task still pending when the loop closes.
func (l *Loop) destroy(t *Task) {
	if l.debug {
		l.logger.Warn("aio: task was destroyed but it is pending", "task", t.Name())
	}
	l.current = t
	if r := t.runner; r != nil {
		r.closing = true
		r.stop() // the body unwinds from its suspension point
	} else if t.started && t.body.lowered() {
		t.mustCancel = true
		t.stepLowered() // one chance to run its pending defers
	}
	l.current = nil
	if t.state == fPending {
		t.finish(ErrCancelled)
	}
}

package aio

import (
	"reflect"
	"runtime"
)

// countdown is a future done when n futures it watches are.
type countdown struct {
	f fut
	n int
}

func (c *countdown) notify(*fut) {
	if c.n--; c.n == 0 {
		c.f.resolve(nil, "")
	}
}

// cancelAll cancels the pending tasks and runs the loop until they are
// done, as asyncio.run does before closing the loop. An error other than
// cancellation is logged.
func (l *Loop) cancelAll() {
	var ts []*Task
	for t := l.tasks; t != nil; t = t.next {
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return
	}
	c := &countdown{f: fut{loop: l}, n: len(ts)}
	for _, t := range ts {
		t.subscribe(c)
		t.cancel()
	}
	l.runUntil(&c.f)
	for _, t := range ts {
		if t.state == fFinished && t.err != nil {
			l.logger.Error("aio: unhandled error during Run shutdown", "task", t.Name(), "err", t.retrieve())
		}
	}
}

// Run runs the coroutine c on a new loop and returns its result (Python's
// asyncio.run): when c is done, the tasks still pending are cancelled and
// awaited, the default executor is shut down and the loop closed. Run
// called from a task or callback of a running loop returns ErrLoopRunning
// instead of blocking that loop.
func Run[R any](c *Coroutine[R], opts ...Option) (R, error) {
	if insideLoop() {
		c.Close()
		var zero R
		return zero, ErrLoopRunning
	}
	l := NewLoop(opts...)
	defer l.Close() // also when a task's body calls runtime.Goexit
	h := newHandle(l, c, nil)
	err := l.RunUntilComplete(h)
	func() {
		l.running.Store(true) // RunUntilComplete's checks are done
		defer l.running.Store(false)
		l.cancelAll()
	}()
	if err != nil {
		var zero R
		return zero, err
	}
	return h.val, nil
}

// insideLoop reports whether the calling goroutine is running a loop or a
// task's body: a loop run from there could only block the loop.
func insideLoop() bool {
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	frames := runtime.CallersFrames(pcs)
	for {
		fr, more := frames.Next()
		if fr.Function == runnerRun || fr.Function == loopRunOnce {
			return true
		}
		if !more {
			return false
		}
	}
}

var (
	pkgPath     = reflect.TypeFor[Loop]().PkgPath()
	runnerRun   = pkgPath + ".(*runner).run"
	loopRunOnce = pkgPath + ".(*Loop).runOnce"
)

package aio

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
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
		runningLoops.Add(1)
		defer func() {
			runningLoops.Add(-1)
			l.running.Store(false)
		}()
		l.cancelAll()
	}()
	if err != nil {
		var zero R
		return zero, err
	}
	return h.val, nil
}

// runningLoops counts the loops running in the process: while there is
// none, a nested run cannot be.
var runningLoops atomic.Int32

// insideLoop reports whether the calling goroutine is running a loop or a
// task's body, or is a coroutine (iter.Pull's, a generator's body) that
// one of them resumed and waits for: a loop run from there could only
// block the loop.
func insideLoop() bool {
	return onLoopStack() || runningLoops.Load() > 0 && resumedByLoop()
}

// onLoopStack reports whether the calling goroutine's stack holds a
// loop's frames.
func onLoopStack() bool {
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

// resumedByLoop reports whether the calling goroutine is a coroutine
// made by iter.Pull (directly, or through coroutines made by coroutines)
// in a goroutine that runs a loop's step, and that goroutine waits for it
// there: the coroutine runs as part of the step, on the loop's thread of
// control. It reads every goroutine's stack, so it is only called when
// the caller is such a coroutine and a loop runs.
func resumedByLoop() bool {
	self := make([]byte, 4096)
	self = self[:runtime.Stack(self, false)]
	if pulledIn(self) == 0 {
		return false
	}
	dump := make([]byte, 1<<16)
	for {
		n := runtime.Stack(dump, true)
		if n < len(dump) {
			dump = dump[:n]
			break
		}
		dump = make([]byte, 2*len(dump))
	}
	gs := map[uint64][]byte{}
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		rest, ok := bytes.CutPrefix(g, []byte("goroutine "))
		if !ok {
			continue
		}
		if i := bytes.IndexByte(rest, ' '); i > 0 {
			id, _ := strconv.ParseUint(string(rest[:i]), 10, 64)
			gs[id] = rest[i+1:]
		}
	}
	for id, hops := pulledIn(self), 0; id != 0 && hops < 1000; hops++ {
		g := gs[id]
		if !bytes.HasPrefix(g, []byte("[coroutine")) {
			return false // the creator does not wait for a coroutine
		}
		if bytes.Contains(g, []byte("\n"+runnerRun+"(")) || bytes.Contains(g, []byte("\n"+loopRunOnce+"(")) {
			// A loop's goroutine waiting for a coroutine: one it resumes
			// itself (a task's body, or the loop's side of a switch), or
			// one the user's code in its step resumed.
			return !bytes.HasPrefix(topFrame(g), []byte(pkgPath+"."))
		}
		id = pulledIn(g)
	}
	return false
}

// pulledIn returns the goroutine that made the goroutine of the stack g
// with iter.Pull, or 0.
func pulledIn(g []byte) uint64 {
	_, after, ok := bytes.Cut(g, []byte("\ncreated by iter.Pull"))
	if !ok {
		return 0
	}
	_, after, ok = bytes.Cut(after, []byte(" in goroutine "))
	if !ok {
		return 0
	}
	if i := bytes.IndexByte(after, '\n'); i >= 0 {
		after = after[:i]
	}
	id, _ := strconv.ParseUint(string(after), 10, 64)
	return id
}

// topFrame returns the function of the innermost frame of the stack g
// that is not the Go runtime's or iter's: the code that switched to a
// coroutine.
func topFrame(g []byte) []byte {
	for _, line := range bytes.Split(g, []byte("\n"))[1:] {
		if len(line) == 0 || line[0] == '\t' || bytes.HasPrefix(line, []byte("runtime.")) || bytes.HasPrefix(line, []byte("iter.")) {
			continue
		}
		return line
	}
	return nil
}

var (
	pkgPath     = reflect.TypeFor[Loop]().PkgPath()
	runnerRun   = pkgPath + ".(*runner).run"
	loopRunOnce = pkgPath + ".(*Loop).runOnce"
)

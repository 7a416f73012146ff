package aio

import (
	"bytes"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// tracking is the logger of never-awaited coroutines, nil when they are
// not tracked.
var tracking atomic.Pointer[slog.Logger]

// trackDefault stands for slog.Default() at the time of the report.
var trackDefault = new(slog.Logger)

func init() {
	if debugEnv {
		tracking.Store(trackDefault)
	}
}

// TrackCoroutines reports coroutine objects that are garbage collected
// without ever being awaited or scheduled (Python's "coroutine ... was
// never awaited" warning) to logger, with the place where each was
// created; nil stops the tracking. It returns the previous logger. Only
// coroutines created while tracking is on are tracked; it costs a little
// on each Async, so it is off unless ASYNCGO_DEBUG is set (which reports
// to slog.Default()).
func TrackCoroutines(logger *slog.Logger) (previous *slog.Logger) {
	return tracking.Swap(logger)
}

// coroTrack is what the report of a never-awaited coroutine needs; it
// does not point to the coroutine, so that it can be collected.
type coroTrack struct {
	awaited atomic.Bool
	fn      any // the body, for its name
	where   string
	logger  *slog.Logger
}

func trackCoroutine[R any](c *Coroutine[R], fn any) *coroTrack {
	tr := &coroTrack{fn: fn, logger: tracking.Load()}
	if c.m != nil {
		tr.fn = machineName(c.m)
	}
	if _, file, line, ok := runtime.Caller(2); ok {
		tr.where = file + ":" + strconv.Itoa(line)
	}
	runtime.AddCleanup(c, reportUnawaited, tr)
	return tr
}

func reportUnawaited(tr *coroTrack) {
	if tr.awaited.Load() || tr.logger == nil {
		return
	}
	logger := tr.logger
	if logger == trackDefault {
		logger = slog.Default()
	}
	name, ok := tr.fn.(string)
	if !ok {
		name = funcName(tr.fn)
	}
	logger.Warn("aio: coroutine was never awaited", "coroutine", name, "created", tr.where)
}

// watchdog captures the goroutines' stacks when a step of the loop runs
// longer than the slow-step threshold, so that the report shows where
// the step was stuck, not where it ended.
type watchdog struct {
	mu     sync.Mutex
	timer  *time.Timer
	active bool
	dump   []byte
}

func (d *watchdog) arm(after time.Duration) {
	d.mu.Lock()
	d.active, d.dump = true, nil
	d.mu.Unlock()
	if d.timer == nil {
		d.timer = time.AfterFunc(after, d.fire)
	} else {
		d.timer.Reset(after)
	}
}

func (d *watchdog) fire() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.active {
		return
	}
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			d.dump = buf[:n]
			return
		}
		buf = make([]byte, 2*len(buf))
	}
}

// disarm stops the watchdog and returns what it captured, if anything.
func (d *watchdog) disarm() []byte {
	d.timer.Stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.active = false
	return d.dump
}

func (d *watchdog) close() {
	if d.timer != nil {
		d.timer.Stop()
	}
}

// debugStep steps t and reports the step if it was slow.
func (l *Loop) debugStep(t *Task) {
	if l.dog == nil {
		l.dog = new(watchdog)
	}
	start := time.Now()
	l.dog.arm(l.slow)
	r := t.step()
	took := time.Since(start)
	dump := l.dog.disarm()
	if took < l.slow {
		return
	}
	var where []string
	if dump != nil {
		id := uint64(0)
		if r != nil {
			id = r.goid
		} else {
			id = curGoid() // a lowered body runs on the loop's goroutine
		}
		where = goroutineStack(dump, id)
	}
	l.logger.Warn("aio: slow task step", "task", t.Name(), "took", took, "where", where)
}

// debugCall runs the callback f and reports it if it was slow.
func (l *Loop) debugCall(f func()) {
	if l.dog == nil {
		l.dog = new(watchdog)
	}
	start := time.Now()
	l.dog.arm(l.slow)
	defer func() {
		took := time.Since(start)
		dump := l.dog.disarm()
		if took < l.slow {
			return
		}
		var where []string
		if dump != nil {
			where = goroutineStack(dump, curGoid())
		}
		l.logger.Warn("aio: slow callback", "callback", funcName(f), "took", took, "where", where)
	}()
	f()
}

// curGoid returns the calling goroutine's id, parsed from its stack
// header; debug mode only.
func curGoid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

// goroutineStack extracts goroutine id's stack from an all-goroutines
// dump, down to the first frame of the loop itself: what the user's code
// was doing, innermost call first, one "function at file:line" line per
// call, so that a log shows it as a list of readable lines (not the
// dump's text, tabs and newlines escaped into one string).
func goroutineStack(dump []byte, id uint64) []string {
	head := []byte(fmt.Sprintf("goroutine %d [", id))
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		if !bytes.HasPrefix(g, head) {
			continue
		}
		lines := bytes.Split(g, []byte("\n"))[1:]
		var frames []string
		for i := 0; i+1 < len(lines); i += 2 {
			fn, at := lines[i], bytes.TrimSpace(lines[i+1])
			if bytes.HasPrefix(fn, []byte(pkgPath+".")) {
				break
			}
			if j := bytes.LastIndexByte(fn, '('); j > 0 {
				fn = fn[:j] // the arguments' words
			}
			if j := bytes.LastIndex(at, []byte(" +0x")); j > 0 {
				at = at[:j]
			}
			frames = append(frames, string(fn)+" at "+string(at))
		}
		return frames
	}
	return nil
}

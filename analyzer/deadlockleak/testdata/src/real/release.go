package real

import "context"

// facebookarchive/contest#223: WithCancelAndPause makes a child context
// and starts a goroutine that forwards the parent's cancel or pause, and
// also ends on the child's own cancel. A step that derives a context only
// to pause it drops the cancel func, so the goroutine waits until the
// whole job's context ends: one more per step. Fix: children register
// with their parent instead of starting a goroutine.
type pauseCtx struct {
	parent *pauseCtx
	done   chan struct{}
	paused chan struct{}
}

func newPauseCtx(parent *pauseCtx) *pauseCtx {
	return &pauseCtx{parent: parent, done: make(chan struct{}), paused: make(chan struct{})}
}

func (c *pauseCtx) Done() <-chan struct{}   { return c.done }
func (c *pauseCtx) Paused() <-chan struct{} { return c.paused }
func (c *pauseCtx) cancel()                 { close(c.done) }
func (c *pauseCtx) pause()                  { close(c.paused) }

type releaseFunc func()

func withCancelAndPause(parent *pauseCtx) (*pauseCtx, releaseFunc, releaseFunc) {
	ctx := newPauseCtx(parent)
	go func() {
		select {
		case <-parent.Done():
			ctx.cancel()
		case <-parent.Paused():
			ctx.pause()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { ctx.cancel() }, ctx.pause
}

func runPausable(job *pauseCtx, run func(*pauseCtx) error) (releaseFunc, error) {
	ctx, _, pause := withCancelAndPause(job) // want `the function that releases the goroutine withCancelAndPause starts \(line \d+\) is dropped here`
	return pause, run(ctx)
}

// The fix at the call site: the cancel is kept and called.
func runPausableFixed(job *pauseCtx, run func(*pauseCtx) error) (releaseFunc, error) {
	ctx, cancel, pause := withCancelAndPause(job)
	defer cancel()
	return pause, run(ctx)
}

// A variant: a subscription whose goroutine removes it when the caller's
// context ends or when it is unsubscribed; a caller drops the unsubscribe.
type hubFeed struct {
	quit chan struct{}
	ch   chan int
}

type hub struct{ remove func(*hubFeed) }

func (h *hub) subscribe(ctx context.Context) (*hubFeed, func()) {
	f := &hubFeed{quit: make(chan struct{}), ch: make(chan int, 1)}
	go func() {
		select {
		case <-ctx.Done():
		case <-f.quit:
		}
		h.remove(f)
	}()
	return f, func() { close(f.quit) }
}

func (h *hub) firstValue(ctx context.Context) int {
	f, _ := h.subscribe(ctx) // want `the function that releases the goroutine subscribe starts`
	return <-f.ch
}

// Another variant: a watcher handed back with its Stop method as the
// release, and a caller that ignores both results.
type dirWatcher struct{ stop chan struct{} }

func (w *dirWatcher) Stop() { close(w.stop) }

func watchDir(events <-chan string, on func(string)) (*dirWatcher, func()) {
	w := &dirWatcher{stop: make(chan struct{})}
	go func() {
		for {
			select {
			case ev := <-events:
				on(ev)
			case <-w.stop:
				return
			}
		}
	}()
	return w, w.Stop
}

func logDir(events <-chan string, log func(string)) {
	watchDir(events, log) // want `the function that releases the goroutine watchDir starts`
}

// A look-alike that stays silent: the caller keeps the release and
// hands it on.
func logDirUntil(events <-chan string, log func(string)) func() {
	_, stop := watchDir(events, log)
	return stop
}

// A look-alike that stays silent: the value's channel has another way to
// be closed (its own Close method), so the dropped func is not the only
// release.
type logTailer struct{ stop chan struct{} }

func (t *logTailer) Close() { close(t.stop) }

func tailLines(lines <-chan string, out func(string)) (*logTailer, func()) {
	t := &logTailer{stop: make(chan struct{})}
	go func() {
		for {
			select {
			case l := <-lines:
				out(l)
			case <-t.stop:
				return
			}
		}
	}()
	return t, func() { close(t.stop) }
}

func tailOnce(lines <-chan string, out func(string)) *logTailer {
	t, _ := tailLines(lines, out)
	return t
}

package real

import (
	"context"
	"time"
)

// A watcher keeps the context its Start is given in a field and starts
// loops that end only when that context is done; the loops' other cases
// handle a value and go back to waiting, so they are no way out. A caller
// that passes context.Background() and later stops the watcher by other
// means leaves every loop waiting forever.

// Upstream: kubescape/node-agent#837. The container watcher's Start kept
// its ctx in cw.ctx and started an event loop and a worker loop, each
// selecting on cw.ctx.Done() and on an event channel the tracers feed;
// Stop stopped the tracers and the pool but canceled nothing, and the
// agent passed context.Background(). Fix: Start derives a context with a
// cancel, kept beside it, and Stop calls the cancel first.
type evWatcher struct {
	ctx    context.Context
	events chan string
	work   chan string
	handle func(string)
}

func newEvWatcher(handle func(string)) *evWatcher {
	return &evWatcher{events: make(chan string, 64), work: make(chan string, 64), handle: handle}
}

func (w *evWatcher) Start(ctx context.Context) {
	w.ctx = ctx
	go w.eventLoop()
	go w.workLoop()
}

func (w *evWatcher) Enqueue(e string) {
	select {
	case w.events <- e:
	default:
	}
}

func (w *evWatcher) eventLoop() {
	for {
		select {
		case <-w.ctx.Done(): // want `this goroutine can only end when its context is done, and runWatcher passes a context that is never canceled \(context.Background\(\)`
			return
		case e := <-w.events:
			w.work <- e
		}
	}
}

func (w *evWatcher) workLoop() {
	for {
		select {
		case <-w.ctx.Done(): // want `this goroutine can only end when its context is done, and runWatcher passes a context that is never canceled`
			return
		case e := <-w.work:
			w.handle(e)
		}
	}
}

func runWatcher(handle func(string)) {
	w := newEvWatcher(handle)
	w.Start(context.Background())
	w.Enqueue("start")
}

// The fix: Start keeps a cancel that Stop calls.
type evWatcherFixed struct {
	ctx    context.Context
	cancel context.CancelFunc
	events chan string
}

func (w *evWatcherFixed) Start(ctx context.Context) {
	w.ctx, w.cancel = context.WithCancel(ctx)
	go w.eventLoop()
}

func (w *evWatcherFixed) Stop() { w.cancel() }

func (w *evWatcherFixed) eventLoop() {
	for {
		select {
		case <-w.ctx.Done():
			return
		case e := <-w.events:
			_ = e
		}
	}
}

func runWatcherFixed() {
	w := &evWatcherFixed{events: make(chan string, 8)}
	w.Start(context.Background())
	w.Stop()
}

// A variant: Run starts a literal that reads the context through the
// captured receiver, and its other case is a ticker's.
type periodicFlusher struct {
	ctx   context.Context
	flush func()
}

func (f *periodicFlusher) Run(ctx context.Context, every time.Duration) {
	f.ctx = ctx
	t := time.NewTicker(every)
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f.flush()
			case <-f.ctx.Done(): // want `this goroutine can only end when its context is done, and startPeriodicFlusher passes a context that is never canceled \(context.TODO\(\)`
				return
			}
		}
	}()
}

func startPeriodicFlusher(flush func()) *periodicFlusher {
	f := &periodicFlusher{flush: flush}
	f.Run(context.TODO(), time.Second)
	return f
}

// A look-alike: the loop's other case returns once its channel is
// closed, which Close does; the context is not its only way out.
type lineTailer struct {
	ctx   context.Context
	lines chan string
	out   func(string)
}

func (t *lineTailer) Start(ctx context.Context) {
	t.ctx = ctx
	go t.loop()
}

func (t *lineTailer) Close() { close(t.lines) }

func (t *lineTailer) loop() {
	for {
		select {
		case <-t.ctx.Done():
			return
		case l, ok := <-t.lines:
			if !ok {
				return
			}
			t.out(l)
		}
	}
}

func runLineTailer(out func(string)) *lineTailer {
	t := &lineTailer{lines: make(chan string), out: out}
	t.Start(context.Background())
	return t
}

// A look-alike: the field is set again elsewhere (a Reset with a new
// context), so Start's argument is not the only context the loop sees.
type resetter struct {
	ctx  context.Context
	tick chan int
}

func (r *resetter) Start(ctx context.Context) {
	r.ctx = ctx
	go r.loop()
}

func (r *resetter) Reset(ctx context.Context) { r.ctx = ctx }

func (r *resetter) loop() {
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-r.tick:
		}
	}
}

func runResetter() *resetter {
	r := &resetter{tick: make(chan int)}
	r.Start(context.Background())
	return r
}

// A variant: the constructor keeps the context, and Run, on another
// call, starts the loop; a helper builds one with context.Background().
type statPoller struct {
	ctx   context.Context
	every time.Duration
	stats chan int
}

func newStatPoller(ctx context.Context, every time.Duration) *statPoller {
	return &statPoller{ctx: ctx, every: every, stats: make(chan int, 1)}
}

func (p *statPoller) Run(read func() int) {
	go p.loop(read)
}

func (p *statPoller) loop(read func() int) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done(): // want `this goroutine can only end when its context is done, and defaultPoller passes a context that is never canceled \(context.Background\(\)`
			return
		case <-t.C:
			p.stats <- read() // want `this send on field stats blocks forever once its buffer of 1 is full: nothing in the package receives`
		}
	}
}

func defaultPoller(read func() int) *statPoller {
	p := newStatPoller(context.Background(), time.Second)
	p.Run(read)
	return p
}

// A look-alike: the same constructor given a context its caller cancels.
type loadPoller struct {
	ctx  context.Context
	tick <-chan time.Time
}

func newLoadPoller(ctx context.Context) *loadPoller {
	return &loadPoller{ctx: ctx, tick: time.Tick(time.Second)}
}

func (p *loadPoller) Run() { go p.loop() }

func (p *loadPoller) loop() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.tick:
		}
	}
}

func pollFor(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	newLoadPoller(ctx).Run()
}

package real

import (
	"context"
	"time"
)

// The unguarded send of a loop that stops on a signal: the loop returns
// when its stop channel fires, because that is when its partner leaves,
// yet one of its sends does not watch that signal. Once the receiver has
// gone the send blocks forever and the goroutine never sees the stop.

// Upstream: square/p2#640. A lease keeper publishes each new lease on out
// in a select with done, keeps the lease alive, then reports its loss with
// a plain send. The caller that closed done reads out no more: the keeper
// blocks on that second send instead of returning. Fix: the second send
// selects on done as well.
func keepLeases(grant func() (string, error), keep func(id string, done <-chan struct{}), out chan<- string, done chan struct{}) {
	for {
		select {
		case <-done:
			close(out)
			return
		default:
		}
		id, err := grant()
		if err != nil {
			continue
		}
		select {
		case out <- id:
			keep(id, done)
			out <- "" // want `the loop in keepLeases stops when the case at line \d+ fires, and it sends on this channel in a select that watches that signal \(line \d+\), but not here: once the receiver has stopped, the send blocks forever`
		case <-done:
		}
	}
}

func keepLeasesFixed(grant func() (string, error), keep func(id string, done <-chan struct{}), out chan<- string, done chan struct{}) {
	for {
		select {
		case <-done:
			close(out)
			return
		default:
		}
		id, err := grant()
		if err != nil {
			continue
		}
		select {
		case out <- id:
			keep(id, done)
			select {
			case out <- "":
			case <-done:
			}
		case <-done:
		}
	}
}

// Upstream: ethersphere/bee#1456. A debouncer hands its output channel and
// a stop function to its caller and, when a quiet period ends, announces
// it with a plain send. The caller stops reading and calls stop; a period
// that has just ended blocks the loop on its send forever. Fix: the send
// selects on quit.
type debouncer struct {
	quiet time.Duration
	kick  chan struct{}
	fire  chan struct{}
	quit  chan struct{}
}

func newDebouncer(quiet time.Duration) (chan<- struct{}, <-chan struct{}, func()) {
	d := &debouncer{quiet: quiet, kick: make(chan struct{}, 1), fire: make(chan struct{}), quit: make(chan struct{})}
	go d.run()
	return d.kick, d.fire, func() { close(d.quit) }
}

func (d *debouncer) run() {
	var wait <-chan time.Time
	for {
		select {
		case <-d.quit:
			return
		case <-d.kick:
			wait = time.After(d.quiet)
		case <-wait:
			wait = nil
			d.fire <- struct{}{} // want `the loop in run stops when the case at line \d+ fires, but this send on field fire does not watch it; newDebouncer hands that channel to its caller \(line \d+\), who stops receiving when it is done`
		}
	}
}

type debouncerFixed struct {
	quiet time.Duration
	kick  chan struct{}
	fire  chan struct{}
	quit  chan struct{}
}

func newDebouncerFixed(quiet time.Duration) (chan<- struct{}, <-chan struct{}, func()) {
	d := &debouncerFixed{quiet: quiet, kick: make(chan struct{}, 1), fire: make(chan struct{}), quit: make(chan struct{})}
	go d.run()
	return d.kick, d.fire, func() { close(d.quit) }
}

func (d *debouncerFixed) run() {
	var wait <-chan time.Time
	for {
		select {
		case <-d.quit:
			return
		case <-d.kick:
			wait = time.After(d.quiet)
		case <-wait:
			wait = nil
			select {
			case d.fire <- struct{}{}:
			case <-d.quit:
				return
			}
		}
	}
}

// Upstream: lestrrat-go/backoff#30. A retry policy's goroutine signals each
// retry on a channel the user reads through an accessor, and stops when its
// context ends. Our variant: the context is reached through an interface
// kept in a field, the send comes after the select rather than inside a
// case, and the channel has a buffer (which only delays the block by one
// value). Fix: the send selects on Done too.
type doner interface {
	Done() <-chan struct{}
}

type attempts struct {
	life  doner
	tick  *time.Ticker
	ready chan int
}

func newAttempts(ctx context.Context, every time.Duration) *attempts {
	r := &attempts{life: ctx, tick: time.NewTicker(every), ready: make(chan int, 1)}
	go r.loop()
	return r
}

// Ready is the channel on which each attempt number is signalled.
func (r *attempts) Ready() <-chan int { return r.ready }

func (r *attempts) loop() {
	attempt := 0
	for {
		select {
		case <-r.life.Done():
			if attempt > 0 {
				r.tick.Stop()
			}
			return
		case <-r.tick.C:
		}
		attempt++
		r.ready <- attempt // want `the loop in loop stops when the case at line \d+ fires, but this send on field ready does not watch it; Ready hands that channel to its caller`
	}
}

type attemptsFixed struct {
	life  doner
	tick  *time.Ticker
	ready chan int
}

func newAttemptsFixed(ctx context.Context, every time.Duration) *attemptsFixed {
	r := &attemptsFixed{life: ctx, tick: time.NewTicker(every), ready: make(chan int, 1)}
	go r.loop()
	return r
}

// Ready is the channel on which each attempt number is signalled.
func (r *attemptsFixed) Ready() <-chan int { return r.ready }

func (r *attemptsFixed) loop() {
	attempt := 0
	for {
		select {
		case <-r.life.Done():
			r.tick.Stop()
			return
		case <-r.tick.C:
		}
		attempt++
		select {
		case r.ready <- attempt:
		case <-r.life.Done():
			r.tick.Stop()
			return
		}
	}
}

// A variant of square/p2#640 written differently: a goroutine literal
// reaches both channels as captured variables, and the guarded send and
// the plain one are in different cases of the loop's select.
func relay(ctx context.Context, in <-chan string) <-chan string {
	out := make(chan string)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-in:
				if !ok {
					out <- "eof" // want `the loop in relay\$1 stops when the case at line \d+ fires, and it sends on this channel in a select that watches that signal`
					continue
				}
				select {
				case out <- s:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// Look-alikes that must stay silent.

// A pipeline stage with no stop signal: it ends when its input is closed,
// and its reader ranges to that close.
type stage struct {
	in  chan int
	out chan int
}

func (s *stage) Out() <-chan int { return s.out }

func (s *stage) run() {
	for v := range s.in {
		s.out <- v * 2
	}
	close(s.out)
}

// The stop case does not leave the loop: it only stops the ticks, and the
// loop goes on draining its input, so its reader is not expected to leave
// on that signal.
type drainer struct {
	in    chan int
	out   chan int
	stop  chan struct{}
	ticks <-chan time.Time
}

func (d *drainer) Out() <-chan int { return d.out }

func (d *drainer) run() {
	for {
		select {
		case <-d.stop:
			d.ticks = nil
		case <-d.ticks:
		case v, ok := <-d.in:
			if !ok {
				close(d.out)
				return
			}
			d.out <- v
		}
	}
}

// The send reports the loop's end on the way out, after the stop case: it
// is not in the loop.
func watchOnce(ctx context.Context, poll func() error, result chan<- error) {
	for {
		select {
		case <-ctx.Done():
			result <- ctx.Err()
			return
		case <-time.After(time.Second):
			if err := poll(); err != nil {
				result <- err
				return
			}
		}
	}
}

// An internal trigger channel that nothing hands out and no select guards:
// its only reader is the package's own worker, which outlives the loop.
type replicator struct {
	trigger chan chan error
}

func (r *replicator) transfer(stop chan struct{}, more func() bool) error {
	for more() {
		errc := make(chan error, 1)
		r.trigger <- errc
		select {
		case err := <-errc:
			if err != nil {
				return err
			}
		case <-stop:
			return nil
		}
	}
	return nil
}

// A loop that feeds itself: it receives from the channel it sends on.
type requeue struct {
	work chan int
	quit chan struct{}
}

func (q *requeue) Work() chan int { return q.work }

func (q *requeue) run(retry func(int) bool) {
	for {
		select {
		case <-q.quit:
			return
		case w := <-q.work:
			if retry(w) {
				q.work <- w
			}
		}
	}
}

// The receiving side of the same rule (a variant of square/p2#640's
// shape): the loop takes a header from in inside its stop-watching select,
// then the body with a plain receive. A sender that stops between the two,
// without closing in, leaves the loop waiting forever for the body. (The
// stop channel here is a chan bool, another common spelling.)
func readPairs(stop <-chan bool, in <-chan []byte, handle func(h, b []byte)) {
	for {
		select {
		case <-stop:
			return
		case h := <-in:
			b := <-in // want `the loop in readPairs stops when the case at line \d+ fires, and it receives from this channel in a select that watches a stop signal \(line \d+\), but not here: once the sender has stopped without closing it`
			handle(h, b)
		}
	}
}

func readPairsFixed(stop <-chan struct{}, in <-chan []byte, handle func(h, b []byte)) {
	for {
		select {
		case <-stop:
			return
		case h := <-in:
			select {
			case b := <-in:
				handle(h, b)
			case <-stop:
				return
			}
		}
	}
}

// Look-alike: the second receive tests for the close, which the sender
// performs when it stops.
func readPairsUntilClosed(stop <-chan struct{}, in <-chan []byte, handle func(h, b []byte)) {
	for {
		select {
		case <-stop:
			return
		case h := <-in:
			b, ok := <-in
			if !ok {
				return
			}
			handle(h, b)
		}
	}
}

// A variant of ethersphere/bee#1456 with the send in a helper method: the
// watcher's loop stops on its closing channel and, on each tick, calls
// publish, which sends on the updates channel that Updates hands out.
type watcher struct {
	closing chan struct{}
	updates chan []string
	list    func() []string
}

// Updates returns the channel on which each new listing is sent.
func (w *watcher) Updates() <-chan []string { return w.updates }

// Close stops the watcher.
func (w *watcher) Close() { close(w.closing) }

func (w *watcher) publish(names []string) {
	w.updates <- names // want `the loop in run stops when the case at line \d+ fires, but this send on field updates does not watch it; Updates hands that channel to its caller`
}

func (w *watcher) run(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-w.closing:
			return
		case <-t.C:
			w.publish(w.list())
		}
	}
}

// Its fixed look-alike: the helper's send watches the closing channel.
type watcherFixed struct {
	closing chan struct{}
	updates chan []string
	list    func() []string
}

// Updates returns the channel on which each new listing is sent.
func (w *watcherFixed) Updates() <-chan []string { return w.updates }

// Close stops the watcher.
func (w *watcherFixed) Close() { close(w.closing) }

func (w *watcherFixed) publish(names []string) {
	select {
	case w.updates <- names:
	case <-w.closing:
	}
}

func (w *watcherFixed) run(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-w.closing:
			return
		case <-t.C:
			w.publish(w.list())
		}
	}
}

// A variant of ethersphere/bee#1456 where the receiver is the package's
// own: a heartbeat producer stops on its stop channel and sends each beat
// on an unbuffered field that a consumer reads in a select it leaves when
// its context ends. After that, the producer's next beat blocks forever,
// even once stop is closed.
type heart struct {
	beats chan int
	stop  chan struct{}
}

func newHeart() *heart {
	h := &heart{beats: make(chan int), stop: make(chan struct{})}
	go h.produce()
	return h
}

func (h *heart) produce() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-h.stop:
			return
		case <-t.C:
			h.beats <- n // want `the loop in produce stops when the case at line \d+ fires, but this send on field beats, an unbuffered channel, does not watch it; the field's only receiver, the select in consume \(line \d+\), can return through another case`
		}
	}
}

func (h *heart) consume(ctx context.Context, f func(int)) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-h.beats:
			f(n)
		}
	}
}

// Its look-alike: the consumer ranges over the beats until they end, and
// the producer closes them when it stops.
type pulse struct {
	beats chan int
	stop  chan struct{}
}

func newPulse() *pulse {
	p := &pulse{beats: make(chan int), stop: make(chan struct{})}
	go p.produce()
	return p
}

func (p *pulse) produce() {
	defer close(p.beats)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.beats <- n
		}
	}
}

func (p *pulse) consume(f func(int)) {
	for n := range p.beats {
		f(n)
	}
}

// A variant of lestrrat-go/backoff#30 with the output in an exported
// field: a poller made by the package delivers each change on Changes, a
// channel its users read, until Close closes done. A poll that finds a
// change after the user has stopped reading blocks forever.
type Poller struct {
	Changes chan string
	done    chan struct{}
	scan    func() []string
}

// NewPoller starts a poller over scan.
func NewPoller(scan func() []string) *Poller {
	p := &Poller{Changes: make(chan string), done: make(chan struct{}), scan: scan}
	go p.loop()
	return p
}

// Close stops the poller.
func (p *Poller) Close() { close(p.done) }

func (p *Poller) loop() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			for _, name := range p.scan() {
				p.Changes <- name // want `the loop in loop stops when the case at line \d+ fires, but this send on Poller.Changes does not watch it; the package's users receive from that exported field`
			}
		}
	}
}

// Look-alike: a request whose reply channel the caller makes and owns
// (its buffer is the caller's choice); the server's loop replies to it.
type Call struct {
	Arg   int
	Reply chan int
}

// Server answers calls until it is closed.
type Server struct {
	calls chan *Call
	done  chan struct{}
}

func (s *Server) serve() {
	for {
		select {
		case <-s.done:
			return
		case c := <-s.calls:
			c.Reply <- c.Arg * 2
		}
	}
}

// A variant written as a generator: the helper makes the channel, starts
// the feeding goroutine and returns the channel to its caller; the loop
// polls the caller's context with a default, then sends plainly. A caller
// that cancels and stops reading leaves the goroutine blocked on the send
// (the shape of square/p2#640 and bee#1456 with a local channel).
func ticks(ctx context.Context, next func() int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			default:
			}
			out <- next() // want `the loop in ticks\$1 stops when the case at line \d+ fires, but this send does not watch it; ticks makes the channel and returns it to its caller \(line \d+\)`
		}
	}()
	return out
}

// Its fix: the send itself watches the context.
func ticksFixed(ctx context.Context, next func() int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case out <- next():
			}
		}
	}()
	return out
}

// Look-alike: a generator with no stop signal sends everything and
// closes; its callers are expected to drain it.
func countTo(n int) <-chan int {
	out := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			out <- i
		}
		close(out)
	}()
	return out
}

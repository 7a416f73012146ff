package real

import (
	"context"
	"errors"
	"net"
	"time"
)

// Goroutines that wait only for a context to end, when that context
// outlives the work they were started for.

// Upstream: vanadium/core#214. A helper makes a context detached from its
// parent's cancellation and forwards only the root context's end to it,
// from a goroutine that waits for the root. The caller cancels the new
// context itself when its request is done (the usual case): the goroutine
// goes on waiting for the root, which lives as long as the process. Fix:
// the goroutine also returns when the new context is done.
func detach(root context.Context, values context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(values))
	go func() {
		<-root.Done() // want `this goroutine forwards another context's end to the context made at line \d+ by calling its cancel, but waits for nothing else: the new context's cancel is also used at line \d+`
		cancel()
	}()
	return ctx, cancel
}

func detachFixed(root context.Context, values context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(values))
	go func() {
		select {
		case <-root.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// A variant: the other context is a server's, reached through a field and
// an interface; the wait is a select with that single case; the new
// context has a deadline, and its cancel is deferred by the function
// itself, which returns long before the server stops.
type lifetime interface {
	Done() <-chan struct{}
}

type server struct {
	life lifetime
}

func (s *server) handle(parent context.Context, work func(context.Context) error) error {
	ctx, stop := context.WithTimeout(parent, time.Minute)
	defer stop()
	go func() {
		select {
		case <-s.life.Done(): // want `this goroutine forwards another context's end to the context made at line \d+ by calling its cancel`
			stop()
		}
	}()
	return work(ctx)
}

// A variant of vanadium/core#214 with a stop channel instead of a root
// context: each request's context is canceled when the pool shuts down,
// by a goroutine that waits only for the pool's closing channel; the
// request cancels its context itself when it is done, and the goroutine
// stays until the pool closes.
type pool struct {
	closing chan struct{}
}

func (p *pool) run(parent context.Context, job func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	go func() {
		<-p.closing // want `this goroutine forwards a stop channel's close to the context made at line \d+ by calling its cancel, but waits for nothing else`
		cancel()
	}()
	job(ctx)
}

// Its look-alike: the function closes the channel it waits on when it
// returns, which ends the goroutine.
func runOnce(parent context.Context, job func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		<-finished
		cancel()
	}()
	job(ctx)
}

// Its other look-alike: the pool's closing channel, closed by this very
// function once the job is done.
func (p *pool) runLast(parent context.Context, job func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	go func() {
		<-p.closing
		cancel()
	}()
	job(ctx)
	close(p.closing)
}

// Look-alike: the goroutine waits for the new context's own Done (a
// cleanup when it ends), not for another context.
func withCleanup(parent context.Context, cleanup func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-ctx.Done()
		cleanup()
		cancel()
	}()
	return ctx, cancel
}

// Look-alike: nobody else holds the cancel, so the new context ends only
// through the goroutine, which ends with it.
func linked(a, b context.Context) context.Context {
	ctx, cancel := context.WithCancel(a)
	go func() {
		<-b.Done()
		cancel()
	}()
	return ctx
}

// Upstream: argoproj/argo-cd#448. Each watch gets a helper goroutine that
// stops the watch when the caller's context ends; but watches end by
// themselves (the server times them out) and the controller watches again
// from a loop, forever, with its long-lived context. One helper is left
// behind per watch, each waiting for that context. Fix: the watch is
// stopped when its own copy loop ends (defer w.Stop()).
type feed interface {
	Events() <-chan string
	Stop()
}

func follow(ctx context.Context, open func() (feed, error)) (<-chan string, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	out := make(chan string)
	go func() {
		<-ctx.Done() // want `this goroutine waits only for follow's context ctx to end, and refollow calls follow over and over from a loop with no condition \(line \d+\), passing the same context`
		f.Stop()
	}()
	go func() {
		defer close(out)
		for ev := range f.Events() {
			out <- ev
		}
	}()
	return out, nil
}

func refollow(ctx context.Context, open func() (feed, error), handle func(string)) {
	for {
		evs, err := follow(ctx, open)
		if err != nil {
			return
		}
		for ev := range evs {
			handle(ev)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

func followFixed(ctx context.Context, open func() (feed, error)) (<-chan string, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	out := make(chan string)
	go func() {
		defer f.Stop()
		defer close(out)
		evs := f.Events()
		for {
			select {
			case ev, ok := <-evs:
				if !ok {
					return
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func refollowFixed(ctx context.Context, open func() (feed, error), handle func(string)) {
	for {
		evs, err := followFixed(ctx, open)
		if err != nil {
			return
		}
		for ev := range evs {
			handle(ev)
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// A variant: a dialer that closes its connection on cancellation, written
// as a method whose watcher is nested in a goroutine, called from a retry
// loop that breaks out on success.
type dialer struct {
	addr string
}

func (d *dialer) dial(ctx context.Context) (net.Conn, error) {
	conn, err := net.Dial("tcp", d.addr)
	if err != nil {
		return nil, err
	}
	go func() {
		go func() {
			select {
			case <-ctx.Done(): // want `this goroutine waits only for dial's context ctx to end, and connectLoop calls dial over and over`
				conn.Close()
			}
		}()
	}()
	return conn, nil
}

func (d *dialer) connectLoop(ctx context.Context, use func(net.Conn) error) error {
	for {
		conn, err := d.dial(ctx)
		if err != nil {
			return err
		}
		if err := use(conn); !errors.Is(err, net.ErrClosed) {
			return err
		}
		conn.Close()
	}
}

// A variant of argoproj/argo-cd#448 driven by a stream: every id that
// arrives is tracked by a helper that ties its release to the context, and
// the stream loop passes its own long-lived context to every call.
func track(ctx context.Context, id string, release func(string)) {
	go func() {
		<-ctx.Done() // want `this goroutine waits only for track's context ctx to end, and trackAll calls track over and over from a range over a channel \(line \d+\), passing the same context`
		release(id)
	}()
}

func trackAll(ctx context.Context, ids <-chan string, release func(string)) {
	for id := range ids {
		track(ctx, id, release)
	}
}

// Look-alike: a retry loop that leaves on the first success; only failed
// attempts, which return before starting the watcher, are repeated.
func attach(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	return conn, nil
}

func attachRetry(ctx context.Context, addr string) net.Conn {
	for {
		conn, err := attach(ctx, addr)
		if err == nil {
			return conn
		}
		time.Sleep(time.Second)
	}
}

// Look-alike: the same watcher, called once per listener from a counted
// loop at start-up: a bounded set of goroutines that are meant to wait for
// shutdown.
func serveOne(ctx context.Context, l net.Listener) {
	go func() {
		<-ctx.Done()
		l.Close()
	}()
}

func serveAll(ctx context.Context, ls []net.Listener) {
	for _, l := range ls {
		serveOne(ctx, l)
	}
}

// Look-alike: a loop with no condition that makes a fresh context for
// every round and cancels it at the round's end.
func pollRounds(ctx context.Context, round func(context.Context) bool) {
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		serveOneRound(rctx)
		more := round(rctx)
		cancel()
		if !more {
			return
		}
	}
}

func serveOneRound(ctx context.Context) {
	go func() {
		<-ctx.Done()
	}()
}

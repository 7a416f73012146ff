package real

import (
	"context"
	"errors"
	"net"
	"time"
)

// Upstream: keybase/kbfs#1437. A timer callback runs a cleanup with
// context.Background(); down a chain of helpers, a library wraps that
// context in a cancellation delayer that starts a goroutine returning
// only when the parent is done (its own done channel is never closed).
// Background is never done: every scheduled cleanup leaks a goroutine.
// Fix: the callback derives the context with a cancel and defers it.
type delayKey struct{}

type delayer struct {
	grace time.Duration
	done  chan struct{}
}

func withDelayer(ctx context.Context) (context.Context, error) {
	if ctx.Value(delayKey{}) != nil {
		return nil, errors.New("already delayed")
	}
	d := &delayer{grace: time.Second, done: make(chan struct{})}
	inner, cancel := context.WithCancel(context.WithValue(ctx, delayKey{}, d))
	go func() {
		select {
		case <-ctx.Done(): // want `this goroutine can only end when its context is done, and cleanLater\$1 passes a context that is never canceled \(context.Background\(\), at line \d+\)`
			time.Sleep(d.grace)
		case <-d.done:
		}
		cancel()
	}()
	return inner, nil
}

func openRepo(ctx context.Context, name string) (context.Context, string, error) {
	ctx, err := withDelayer(ctx)
	if err != nil {
		return nil, "", err
	}
	return ctx, "/tmp/" + name, nil
}

type cleaner struct {
	clean func(ctx context.Context, dir string) error
}

func (c *cleaner) cleanLater(name string) {
	time.AfterFunc(time.Hour, func() {
		ctx, dir, err := openRepo(context.Background(), name)
		if err != nil {
			return
		}
		_ = c.clean(ctx, dir)
	})
}

func (c *cleaner) cleanLaterFixed(name string) {
	time.AfterFunc(time.Hour, func() {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx, dir, err := openRepo(ctx, name)
		if err != nil {
			return
		}
		_ = c.clean(ctx, dir)
	})
}

// A variant written another way: a named watcher started with go, that
// closes a connection when its context ends; a request handler reaches it
// through a method and passes context.TODO() with a value added.
type reqKey struct{}

func closeOnDone(ctx context.Context, c net.Conn) {
	<-ctx.Done() // want `this goroutine can only end when its context is done, and handle passes a context that is never canceled \(context.TODO\(\)`
	c.Close()
}

type proxy struct {
	dial func() (net.Conn, error)
}

func (p *proxy) attach(ctx context.Context) (net.Conn, error) {
	c, err := p.dial()
	if err != nil {
		return nil, err
	}
	go closeOnDone(ctx, c)
	return c, nil
}

func (p *proxy) handle(id string) error {
	ctx := context.WithValue(context.TODO(), reqKey{}, id)
	c, err := p.attach(ctx)
	if err != nil {
		return err
	}
	_, err = c.Write([]byte(id))
	return err
}

// Look-alike: the handler's context has a deadline, so the watcher ends.
func (p *proxy) handleFixed(id string) error {
	ctx, cancel := context.WithTimeout(context.TODO(), time.Minute)
	defer cancel()
	c, err := p.attach(ctx)
	if err != nil {
		return err
	}
	_, err = c.Write([]byte(id))
	return err
}

// Look-alike: the watcher's other case is a channel the package closes
// (Release), so it can end without the context.
type lease struct {
	released chan struct{}
}

func (l *lease) Release() { close(l.released) }

func (l *lease) watch(ctx context.Context, expire func()) {
	go func() {
		select {
		case <-ctx.Done():
			expire()
		case <-l.released:
		}
	}()
}

func grant(expire func()) *lease {
	l := &lease{released: make(chan struct{})}
	l.watch(context.Background(), expire)
	return l
}

// Look-alike: main runs once; the one goroutine it leaves waiting lives
// as long as the process anyway.
func main() {
	p := &proxy{dial: func() (net.Conn, error) { return nil, errors.New("no") }}
	_, _ = p.attach(context.Background())
}

// A variant through a struct field: the session keeps the context it was
// made with and its reader goroutine, started as a method, waits on it;
// the accept loop makes each session with context.Background().
type session struct {
	ctx  context.Context
	conn net.Conn
}

func newSession(ctx context.Context, c net.Conn) *session {
	s := &session{ctx: ctx, conn: c}
	go s.closer()
	return s
}

func (s *session) closer() {
	<-s.ctx.Done() // want `this goroutine can only end when its context is done, and acceptAll passes a context that is never canceled \(context.Background\(\)`
	s.conn.Close()
}

func acceptAll(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		newSession(context.Background(), c)
	}
}

// Its look-alike: the session renews its context in Start (another store
// into the field), so the maker's context is not the one waited on.
type renewing struct {
	ctx    context.Context
	cancel context.CancelFunc
	conn   net.Conn
}

func newRenewing(ctx context.Context, c net.Conn) *renewing {
	r := &renewing{ctx: ctx, conn: c}
	go r.closer()
	return r
}

func (r *renewing) Start() {
	r.ctx, r.cancel = context.WithCancel(context.Background())
}

func (r *renewing) closer() {
	<-r.ctx.Done()
	r.conn.Close()
}

func acceptRenewing(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		newRenewing(context.Background(), c).Start()
	}
}

// A variant with the context handed to the literal as its argument, and
// the other case on a private channel nothing ever closes (a stop hook
// that was never wired up).
type tailer struct {
	stopped chan struct{}
	lines   []string
}

func (t *tailer) follow(ctx context.Context, flush func([]string)) {
	go func(ctx context.Context) {
		select {
		case <-ctx.Done(): // want `this goroutine can only end when its context is done, and tailAll passes a context that is never canceled`
		case <-t.stopped:
		}
		flush(t.lines)
	}(ctx)
}

func tailAll(ts []*tailer, flush func([]string)) {
	for _, t := range ts {
		t.follow(context.WithoutCancel(context.Background()), flush)
	}
}

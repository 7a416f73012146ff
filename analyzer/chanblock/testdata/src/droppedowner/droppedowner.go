// Package droppedowner holds the owner dropped on a failure path
// (droppedowner.go): a constructor makes a value keeping the cancel of a
// context made from context.Background(), starts goroutines waiting on its
// Done, and returns on some path without handing the value on or closing
// it. Beside each, the look-alikes the rule leaves alone.
package droppedowner

import (
	"context"
	"errors"
	"io"
	"time"
)

var errDial = errors.New("dial failed")

// ---- 1. the grpc shape: fields ctx and cancel, a monitor goroutine ----

type client struct {
	ctx    context.Context
	cancel context.CancelFunc
	events chan int
}

func (c *client) monitor() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.events:
		}
	}
}

func (c *client) Close() { c.cancel() }

func dial(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		return nil, errDial // want `dial returns here without handing on the client it made`
	}
	return c, nil
}

// The fix: Close on the failure path.
func dialClosed(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		c.Close()
		return nil, errDial
	}
	return c, nil
}

// The fix with a deferred Close when err is set.
func dialDeferred(fail bool) (_ *client, err error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	go c.monitor()
	if fail {
		return nil, errDial
	}
	return c, nil
}

// A deferred close of the named result closes only what is returned:
// upstream's bug (grpc-go#862).
func dialNamed(ctx context.Context, fail bool) (conn *client, err error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer func() {
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close()
			}
			conn, err = nil, ctx.Err()
		default:
		}
	}()
	go c.monitor()
	if fail {
		return nil, errDial // want `dialNamed returns here without handing on the client it made`
	}
	return c, nil
}

// Handed back with the error: the caller owns it.
func dialBoth(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		return c, errDial
	}
	return c, nil
}

// Kept in a registry before the failure: someone else can Close it.
var live = map[*client]bool{}

func dialRegistered(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	live[c] = true
	go c.monitor()
	if fail {
		return nil, errDial
	}
	return c, nil
}

// The field's cancel called directly, under a nil test.
func dialCancelField(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		if c.cancel != nil {
			c.cancel()
		}
		return nil, errDial
	}
	return c, nil
}

// A loop left by break on the failure, then the Close after it.
func dialLoop(n int) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	var err error
	for i := 0; i < n; i++ {
		if i == 3 {
			err = errDial
			break
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// An early return in a loop, with the owner dropped.
func dialLoopReturn(n int) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	for i := 0; i < n; i++ {
		if i == 3 {
			return nil, errDial // want `dialLoopReturn returns here without handing on the client it made`
		}
	}
	return c, nil
}

// Handed to a callback as an io.Closer: the callee may Close it.
func dialHanded(fail bool, onFail func(io.Closer)) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		onFail(closerOf{c})
		return nil, errDial
	}
	return c, nil
}

type closerOf struct{ c *client }

func (x closerOf) Close() error { x.c.Close(); return nil }

// ---- 2. a caller's context, a deadline: left alone ----

type tied struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (t *tied) wait()  { <-t.ctx.Done() }
func (t *tied) Close() { t.cancel() }

// The caller may cancel ctx: the goroutine ends with it.
func dialTied(ctx context.Context, fail bool) (*tied, error) {
	t := &tied{}
	t.ctx, t.cancel = context.WithCancel(ctx)
	go t.wait()
	if fail {
		return nil, errDial
	}
	return t, nil
}

type timed struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (t *timed) wait()  { <-t.ctx.Done() }
func (t *timed) Close() { t.cancel() }

// The deadline ends the context by itself.
func dialTimed(fail bool) (*timed, error) {
	t := &timed{}
	t.ctx, t.cancel = context.WithTimeout(context.Background(), time.Second)
	go t.wait()
	if fail {
		return nil, errDial
	}
	return t, nil
}

// ---- 3. the goroutine cancels by itself: left alone ----

type selfStop struct {
	ctx    context.Context
	cancel context.CancelFunc
	in     chan int
}

func (s *selfStop) Close() { s.cancel() }

func (s *selfStop) loop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case v := <-s.in:
			if v < 0 {
				s.Close()
			}
		}
	}
}

func startSelfStop(fail bool) (*selfStop, error) {
	s := &selfStop{in: make(chan int)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.loop()
	if fail {
		return nil, errDial
	}
	return s, nil
}

// ---- 4. the dtls shape: a closer made by a constructor, a Done accessor ----

type closer struct {
	ctx       context.Context
	closeFunc context.CancelFunc
}

func newCloser() *closer {
	ctx, cancel := context.WithCancel(context.Background())
	return &closer{ctx: ctx, closeFunc: cancel}
}

func (c *closer) Close()                { c.closeFunc() }
func (c *closer) Done() <-chan struct{} { return c.ctx.Done() }

type conn struct {
	closed *closer
	out    chan []byte
}

func (c *conn) deliver(b []byte) {
	select {
	case c.out <- b:
	case <-c.closed.Done():
	}
}

func (c *conn) handshake(fail bool) error {
	go func() {
		for i := 0; i < 3; i++ {
			c.deliver([]byte{byte(i)})
		}
	}()
	if fail {
		return errDial
	}
	return nil
}

func (c *conn) close() { c.closed.Close() }

func newConn(fail bool) (*conn, error) {
	c := &conn{closed: newCloser(), out: make(chan []byte, 1)}
	if err := c.handshake(fail); err != nil {
		return nil, err // want `newConn returns here without handing on the conn it made`
	}
	return c, nil
}

func newConnClosed(fail bool) (*conn, error) {
	c := &conn{closed: newCloser(), out: make(chan []byte, 1)}
	if err := c.handshake(fail); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// A back pointer is not ownership: the watch holds a conn it was given,
// and dropping the watch drops nothing that cancels.
type watch struct {
	c    *conn
	tick chan int
}

func (w *watch) run() {
	select {
	case <-w.c.closed.Done():
	case <-w.tick:
	}
}

func newWatch(c *conn, fail bool) (*watch, error) {
	w := &watch{c: c, tick: make(chan int)}
	go w.run()
	if fail {
		return nil, errDial
	}
	return w, nil
}

// ---- 5. a derived context kept in a child; a captured variable ----

type parent struct {
	ctx    context.Context
	cancel context.CancelFunc
	kids   map[int]*kid
}

type kid struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (p *parent) Close() {
	p.cancel()
	for _, k := range p.kids {
		k.cancel()
	}
}

func (p *parent) add(id int) {
	k := &kid{}
	k.ctx, k.cancel = context.WithCancel(p.ctx)
	p.kids[id] = k
	go func() {
		<-k.ctx.Done()
	}()
}

func newParent(ids []int) (*parent, error) {
	p := &parent{kids: map[int]*kid{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	go func() {
		for _, id := range ids {
			p.add(id)
		}
	}()
	if len(ids) == 0 {
		return nil, errDial // want `newParent returns here without handing on the parent it made`
	}
	return p, nil
}

func newParentClosed(ids []int) (*parent, error) {
	p := &parent{kids: map[int]*kid{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	go func() {
		for _, id := range ids {
			p.add(id)
		}
	}()
	if len(ids) == 0 {
		p.Close()
		return nil, errDial
	}
	return p, nil
}

// Shadowing: the failure path closes another value of the type; the rule
// takes any call that may cancel as a cancel (left alone).
func dialShadow(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		c := &client{}
		c.ctx, c.cancel = context.WithCancel(context.Background())
		c.Close()
		return nil, errDial
	}
	return c, nil
}

// Handed back as an interface with the error: the caller may Close it.
type stopper interface{ Close() }

func dialIface(fail bool) (stopper, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.monitor()
	if fail {
		return c, errDial
	}
	return c, nil
}

// Reached through an interface: the goroutine is started through an
// interface method. The failure path drops the owner all the same, but
// the rule does not follow a go statement through an interface (a miss
// it accepts: the started code is not known).
type runner interface{ monitor() }

func dialRunner(fail bool) (*client, error) {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	var r runner = c
	go r.monitor()
	if fail {
		return nil, errDial
	}
	return c, nil
}

// Stopped another way on the failure path: a quit channel of its own
// closed, or a method of its own called (which may stop it): left alone.
type quitter struct {
	ctx    context.Context
	cancel context.CancelFunc
	quit   chan struct{}
}

func (q *quitter) Close() { q.cancel() }

func (q *quitter) loop() {
	select {
	case <-q.ctx.Done():
	case <-q.quit:
	}
}

func (q *quitter) stop() { close(q.quit) }

func startQuit(fail bool) (*quitter, error) {
	q := &quitter{quit: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	go q.loop()
	if fail {
		close(q.quit)
		return nil, errDial
	}
	return q, nil
}

func startStop(fail bool) (*quitter, error) {
	q := &quitter{quit: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	go q.loop()
	if fail {
		q.stop()
		return nil, errDial
	}
	return q, nil
}

// ---- 6. the owner made by a constructor of the package ----

func newClient() *client {
	c := &client{events: make(chan int)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

func (c *client) handshake(fail bool) error {
	if fail {
		return errDial
	}
	return nil
}

func dialMade(fail bool) (*client, error) {
	c := newClient()
	go c.monitor()
	if err := c.handshake(fail); err != nil {
		return nil, err // want `dialMade returns here without handing on the client it made`
	}
	return c, nil
}

func dialMadeClosed(fail bool) (*client, error) {
	c := newClient()
	go c.monitor()
	if err := c.handshake(fail); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Made by a constructor that may return an owner it was handed (a cached
// one): not a fresh owner, left alone.
var cached *client

func getClient() *client {
	if cached != nil {
		return cached
	}
	return newClient()
}

func dialCached(fail bool) (*client, error) {
	c := getClient()
	go c.monitor()
	if fail {
		return nil, errDial
	}
	return c, nil
}

// An operation whose context and cancel are fields of a value the
// function makes (session 25, ctxvar): the watcher waits on op.ctx, and
// the cancel runs only when f stops early, so a normal end returns without
// it; the fix defers op.cancel(), which runs on every return (silent).
type rowOp struct {
	ctx    context.Context
	cancel context.CancelFunc
	rows   []int
}

func (o *rowOp) watch() {
	<-o.ctx.Done()
	o.rows = nil
}

func runRows(rows []int, f func(int) bool) {
	o := &rowOp{rows: rows}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	go o.watch()
	for _, r := range o.rows {
		if !f(r) {
			o.cancel()
			return
		}
	}
} // want `runRows returns here without handing on the rowOp it made`

func runRowsDeferred(rows []int, f func(int) bool) {
	o := &rowOp{rows: rows}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	defer o.cancel()
	go o.watch()
	for _, r := range o.rows {
		if !f(r) {
			return
		}
	}
}

package real

import (
	"context"
	"net"
)

// Per-round watchers spelled other ways (session 25, ctxvar).

// argoproj/argo-cd#448 with the loop in the watcher's own function: each
// round opens a watch and starts a helper that stops it when ctx is done;
// the watch ends by itself and the loop, which only ctx's end ends, opens
// another, while every ended watch's helper keeps waiting.
type rwWatch interface {
	Events() <-chan string
	Stop()
}

type rwClient interface {
	Watch() (rwWatch, error)
}

func rwWatchLoop(ctx context.Context, c rwClient, out func(string)) {
	for ctx.Err() == nil {
		w, err := c.Watch()
		if err != nil {
			continue
		}
		go func() {
			<-ctx.Done() // want `this goroutine waits only for a context to end, and rwWatchLoop starts it on every round of a loop that only a context's end ends`
			w.Stop()
		}()
		for ev := range w.Events() {
			out(ev)
		}
	}
}

// The fix: the helper also ends with the round.
func rwWatchLoopFixed(ctx context.Context, c rwClient, out func(string)) {
	for ctx.Err() == nil {
		w, err := c.Watch()
		if err != nil {
			continue
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-ctx.Done():
				w.Stop()
			case <-done:
			}
		}()
		for ev := range w.Events() {
			out(ev)
		}
		close(done)
	}
}

// A reconnect loop with no condition and a named watcher.
func closeWhenDone(ctx context.Context, c net.Conn) {
	<-ctx.Done() // want `this goroutine waits only for a context to end, and redial starts it on every round of a loop with no condition`
	c.Close()
}

func redial(ctx context.Context, dial func() (net.Conn, error), serve func(net.Conn) error) error {
	for {
		c, err := dial()
		if err != nil {
			return err
		}
		go closeWhenDone(ctx, c)
		if err := serve(c); err != nil {
			c.Close()
		}
	}
}

// Look-alike: the loop leaves right after starting the watcher (a retry
// until the first success): one watcher per call, not per round.
func dialOnce(ctx context.Context, dial func() (net.Conn, error)) net.Conn {
	for {
		c, err := dial()
		if err != nil {
			continue
		}
		go closeWhenDoneOnce(ctx, c)
		return c
	}
}

func closeWhenDoneOnce(ctx context.Context, c net.Conn) {
	<-ctx.Done()
	c.Close()
}

// Look-alike: a context made on each round: a new one every time, which
// the round may cancel (not followed here).
func perRoundCtx(parent context.Context, rounds <-chan func(context.Context)) {
	for f := range rounds {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			<-ctx.Done()
		}()
		f(ctx)
		cancel()
	}
}

// katsubushi#28 with the server's context kept in a field set when the
// server is made: every connection's watcher waits for s.ctx, and Serve
// starts handleConn on every accepted connection.
type rwServer struct {
	ctx    context.Context
	handle func(net.Conn)
}

func newRWServer(ctx context.Context, handle func(net.Conn)) *rwServer {
	return &rwServer{ctx: ctx, handle: handle}
}

func (s *rwServer) Serve(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go s.handleConn(conn)
	}
}

func (s *rwServer) handleConn(conn net.Conn) {
	defer conn.Close()
	go func() {
		<-s.ctx.Done() // want `this goroutine waits only for handleConn's context s \(field ctx\) to end, and Serve starts handleConn over and over`
		conn.Close()
	}()
	s.handle(conn)
}

// The fix: a child context canceled when the connection is done.
func (s *rwServer) handleConnFixed(conn net.Conn) {
	defer conn.Close()
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	s.handle(conn)
}

func (s *rwServer) ServeFixed(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go s.handleConnFixed(conn)
	}
}

// Look-alike: the context field is set again by a method (Reset), so the
// same server may hold another context on the next round.
type rwResetServer struct {
	ctx    context.Context
	handle func(net.Conn)
}

func (s *rwResetServer) Reset(ctx context.Context) { s.ctx = ctx }

func (s *rwResetServer) Serve(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go s.handleConn(conn)
	}
}

func (s *rwResetServer) handleConn(conn net.Conn) {
	defer conn.Close()
	go func() {
		<-s.ctx.Done()
		conn.Close()
	}()
	s.handle(conn)
}

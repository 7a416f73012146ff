package aio

import (
	"context"
	"net"
)

// Server is a TCP server started by StartServer: Python's asyncio.Server.
// Its methods are used from the loop's tasks.
type Server struct {
	loop    *Loop
	ln      net.Listener
	handler func(t *Task, r *StreamReader, w *StreamWriter) error
	closed  bool
	active  int // connections whose handler has not returned
	stopped fut // done when closed
	idle    fut // done when closed and no handler runs
}

// StartServer listens on the TCP address addr ("127.0.0.1:0" for a free
// port on the loopback interface), suspending t meanwhile, and runs
// handler as a new task for each connection, with the connection's
// reader and writer (Python's asyncio.start_server). A handler that fails or is cancelled has its
// connection closed and its error logged; one that returns normally
// leaves the connection to whoever it gave the writer, as in Python (Close
// it). Accepting runs on a helper goroutine; it does not hold the virtual
// clock.
func StartServer(t *Task, addr string, handler func(t *Task, r *StreamReader, w *StreamWriter) error) (*Server, error) {
	var a ServerStart
	a.Start(t, addr, handler)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// ServerStart is StartServer as a resumable operation (see resume.go).
type ServerStart struct {
	o       offloading[net.Listener]
	handler func(t *Task, r *StreamReader, w *StreamWriter) error
	s       *Server
}

// Start begins listening on addr for t, with handler for the
// connections.
func (a *ServerStart) Start(t *Task, addr string, handler func(t *Task, r *StreamReader, w *StreamWriter) error) {
	*a = ServerStart{handler: handler}
	a.o.start(t, func(ctx context.Context) (net.Listener, error) {
		var lc net.ListenConfig
		return lc.Listen(ctx, "tcp", addr) // may resolve a name: not on the loop
	}, func(ln net.Listener) { ln.Close() })
}

// Step runs the operation on (see resume.go).
func (a *ServerStart) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *ServerStart) step(t *Task, thrown error) (Waitable, bool) {
	if w, s := a.o.rw.step(t, thrown); s {
		return w, true
	}
	if ln := a.o.rw.r; ln != nil && a.o.rw.err == nil {
		l := t.loop
		s := &Server{loop: l, ln: ln, handler: a.handler, stopped: fut{loop: l, ctl: sharedFut{}}, idle: fut{loop: l, ctl: sharedFut{}}}
		l.io.add(ln)
		l.goHelper(s.accept)
		a.s, a.o.rw.r = s, nil
	}
	return nil, false
}

// Result returns StartServer's results and forgets the operation.
func (a *ServerStart) Result() (*Server, error) {
	s, err := a.s, a.o.rw.err
	*a = ServerStart{}
	return s, err
}

// accept runs on a helper goroutine until the listener is closed.
func (s *Server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed: Close or the loop's Close
		}
		if s.loop.CallSoonThreadsafe(func() { s.serve(c) }) != nil {
			c.Close()
			return
		}
	}
}

// serve starts the handler task of a new connection, on the loop.
func (s *Server) serve(c net.Conn) {
	if s.closed {
		c.Close()
		return
	}
	r, w := newConn(s.loop, c)
	s.active++
	h := NewTask(s.loop, Async(func(t *Task) (struct{}, error) {
		return struct{}{}, s.handler(t, r, w)
	}), Name("conn "+c.RemoteAddr().String()))
	addDoneCallback(&h.task.fut, func() {
		s.active--
		if err := h.Err(); err != nil {
			if !h.Cancelled() {
				s.loop.logger.Error("aio: connection handler failed", "task", h.Name(), "err", err)
			}
			w.cn.close()
		}
		s.maybeIdle()
	})
}

func (s *Server) maybeIdle() {
	if s.closed && s.active == 0 && !s.idle.done() {
		s.idle.resolve(nil, "")
	}
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// IsServing reports whether the server accepts connections.
func (s *Server) IsServing() bool { return !s.closed }

// Close stops accepting connections; connections already accepted carry
// on (Python's Server.close).
func (s *Server) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	s.loop.io.remove(s.ln)
	s.stopped.resolve(nil, "")
	s.maybeIdle()
	return err
}

// WaitClosed suspends t until the server is closed and the handlers of
// its connections have returned.
func (s *Server) WaitClosed(t *Task) error {
	var a Closing
	a.StartServer(t, s)
	for w, ok := a.step(t, nil); ok; w, ok = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// ServeForever suspends t while the server accepts connections (Python's
// serve_forever): until Close, from another task. If t is cancelled the
// server is closed and ErrCancelled returned.
func (s *Server) ServeForever(t *Task) error {
	var a Closing
	a.StartServe(t, s)
	for w, ok := a.step(t, nil); ok; w, ok = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Closing is the waits for a connection or a server to close
// (StreamWriter.WaitClosed, Server.WaitClosed, Server.ServeForever) as a
// resumable operation (see resume.go).
type Closing struct {
	sw    signalWait
	serve *Server // ServeForever's, closed if the wait fails
	err   error
}

// StartWriter begins StreamWriter.WaitClosed of w in t.
func (a *Closing) StartWriter(t *Task, w *StreamWriter) { *a = Closing{sw: signalWait{&w.cn.done}} }

// StartServer begins Server.WaitClosed of s in t.
func (a *Closing) StartServer(t *Task, s *Server) { *a = Closing{sw: signalWait{&s.idle}} }

// StartServe begins Server.ServeForever of s in t.
func (a *Closing) StartServe(t *Task, s *Server) { *a = Closing{sw: signalWait{&s.stopped}, serve: s} }

// Step runs the operation on (see resume.go).
func (a *Closing) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Closing) step(t *Task, thrown error) (Waitable, bool) {
	if a.sw.f == nil {
		return nil, false
	}
	w, s, err := a.sw.step(t, thrown)
	if s {
		return w, true
	}
	a.sw.f, a.err = nil, err
	if err != nil && a.serve != nil {
		a.serve.Close()
	}
	return nil, false
}

// Result returns the wait's error and forgets the operation.
func (a *Closing) Result() error {
	err := a.err
	*a = Closing{}
	return err
}

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
	l := t.loop
	ln, err := offload(t, func(ctx context.Context) (net.Listener, error) {
		var lc net.ListenConfig
		return lc.Listen(ctx, "tcp", addr) // may resolve a name: not on the loop
	}, func(ln net.Listener) { ln.Close() })
	if err != nil {
		return nil, err
	}
	s := &Server{loop: l, ln: ln, handler: handler, stopped: fut{loop: l, ctl: sharedFut{}}, idle: fut{loop: l, ctl: sharedFut{}}}
	l.io.add(ln)
	l.goHelper(s.accept)
	return s, nil
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
	return awaitSignal(t, &s.idle)
}

// ServeForever suspends t while the server accepts connections (Python's
// serve_forever): until Close, from another task. If t is cancelled the
// server is closed and ErrCancelled returned.
func (s *Server) ServeForever(t *Task) error {
	err := awaitSignal(t, &s.stopped)
	if err != nil {
		s.Close()
	}
	return err
}

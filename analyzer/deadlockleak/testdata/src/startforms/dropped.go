package startforms

import (
	"io"
	"log"
	"net"
	"time"
)

// Writer writes batches in the background. Flush queues a nil marker and
// waits on the unbuffered flushed; the loop answers each marker with a
// select/default send, dropped when Flush has not reached its receive
// yet: Flush then waits forever for an answer that was thrown away.
type Writer struct {
	in      chan []byte
	flushed chan struct{}
	out     io.Writer
}

// NewWriter starts the writer loop.
func NewWriter(out io.Writer) *Writer {
	w := &Writer{in: make(chan []byte, 16), flushed: make(chan struct{}), out: out}
	go w.loop()
	return w
}

func (w *Writer) loop() {
	for b := range w.in {
		if b == nil {
			select {
			case w.flushed <- struct{}{}:
			default:
			}
			continue
		}
		_, _ = w.out.Write(b)
	}
}

// Write queues b.
func (w *Writer) Write(b []byte) {
	w.in <- b
}

// Flush waits until everything queued before it is written.
func (w *Writer) Flush() {
	w.in <- nil
	<-w.flushed // want `this receive waits on unbuffered field flushed, which loop only offers in a select with a default`
}

// FixedWriter answers the marker with a plain send: it waits for Flush.
// Silent.
type FixedWriter struct {
	in      chan []byte
	flushed chan struct{}
	out     io.Writer
}

// NewFixedWriter starts the writer loop.
func NewFixedWriter(out io.Writer) *FixedWriter {
	w := &FixedWriter{in: make(chan []byte, 16), flushed: make(chan struct{}), out: out}
	go w.loop()
	return w
}

func (w *FixedWriter) loop() {
	for b := range w.in {
		if b == nil {
			w.flushed <- struct{}{}
			continue
		}
		_, _ = w.out.Write(b)
	}
}

// Flush waits until everything queued before it is written.
func (w *FixedWriter) Flush() {
	w.in <- nil
	<-w.flushed
}

// Server announces readiness with a select/default send right after
// Start launches it; Start waits on the unbuffered ready and, if serve
// got there first, forever.
type Server struct {
	ln    net.Listener
	ready chan struct{}
	conns chan net.Conn
}

// Start starts serving and returns once the server is ready.
func (s *Server) Start(ln net.Listener) {
	s.ln = ln
	s.ready = make(chan struct{})
	s.conns = make(chan net.Conn, 8)
	go s.serve()
	<-s.ready // want `this receive waits on unbuffered field ready, which serve only offers in a select with a default`
	log.Printf("serving on %s", ln.Addr())
}

func (s *Server) serve() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.conns <- c
	}
}

// Accept returns the next accepted connection.
func (s *Server) Accept() net.Conn {
	return <-s.conns
}

// FixedServer closes ready: the close is seen whenever Start gets there.
// Silent.
type FixedServer struct {
	ready chan struct{}
	work  func()
}

// Start starts the server and waits until it is ready.
func (s *FixedServer) Start() {
	s.ready = make(chan struct{})
	go s.serve()
	<-s.ready
}

func (s *FixedServer) serve() {
	close(s.ready)
	s.work()
}

// RoomyServer offers its ready signal on a channel with room for it: the
// offer is kept until Start takes it. Silent.
type RoomyServer struct {
	ready chan struct{}
	work  func()
}

// Start starts the server and waits until it is ready.
func (s *RoomyServer) Start() {
	s.ready = make(chan struct{}, 1)
	go s.serve()
	<-s.ready
}

func (s *RoomyServer) serve() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
	s.work()
}

// Ticker offers a tick on every turn of its loop: an offer dropped before
// First waits is followed by the next one. Silent.
type Ticker struct {
	ticks chan time.Time
	every time.Duration
}

// First starts the ticker and waits for its first tick.
func (t *Ticker) First() time.Time {
	t.ticks = make(chan time.Time)
	go t.run()
	return <-t.ticks
}

func (t *Ticker) run() {
	for {
		time.Sleep(t.every)
		select {
		case t.ticks <- time.Now():
		default:
		}
	}
}

// Prober waits for its probe's signal in a select with a timeout: a
// dropped offer costs the timeout, not the goroutine. Silent.
type Prober struct {
	done  chan struct{}
	probe func()
}

// Probe runs the probe and waits up to a second for it.
func (p *Prober) Probe() bool {
	p.done = make(chan struct{})
	go p.run()
	select {
	case <-p.done:
		return true
	case <-time.After(time.Second):
		return false
	}
}

func (p *Prober) run() {
	p.probe()
	select {
	case p.done <- struct{}{}:
	default:
	}
}

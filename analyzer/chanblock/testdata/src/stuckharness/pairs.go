package stuckharness

import (
	"context"
	"errors"
	"time"
)

// Progress is a renderer: Start runs a goroutine until the caller's
// context ends or Finish signals; Finish's plain send waits for that
// goroutine, which may have left by the context meanwhile. Neither call
// alone leaves anything blocked: Finish and Start run at once.
type Progress struct {
	done chan bool
}

// NewProgress returns a renderer.
func NewProgress() *Progress { return &Progress{done: make(chan bool)} }

// Start renders until ctx ends or Finish.
func (p *Progress) Start(ctx context.Context) {
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.done:
				return
			case <-t.C:
				render()
			}
		}
	}()
}

// Finish ends the rendering.
func (p *Progress) Finish() {
	render()
	p.done <- true // want `can block forever`
}

func render() {}

// SafeProgress' Finish closes done (once per renderer): it never waits.
type SafeProgress struct {
	done chan bool
}

// NewSafeProgress returns a renderer.
func NewSafeProgress() *SafeProgress { return &SafeProgress{done: make(chan bool)} }

// Start renders until ctx ends or Finish.
func (p *SafeProgress) Start(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.done:
				return
			case <-time.After(time.Second):
				render()
			}
		}
	}()
}

// Finish ends the rendering.
func (p *SafeProgress) Finish() {
	render()
	close(p.done)
}

// Pump's Run starts its loop as a method with the caller's context; Stop
// asks it to stop with a send and waits for nothing else.
type Pump struct {
	quit chan struct{}
}

// NewPump returns a pump.
func NewPump() *Pump { return &Pump{quit: make(chan struct{})} }

// Run pumps until ctx ends or Stop.
func (p *Pump) Run(ctx context.Context) {
	go p.loop(ctx)
}

func (p *Pump) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.quit:
			return
		default:
			render()
		}
	}
}

// Stop stops the pump.
func (p *Pump) Stop() {
	p.stop()
}

func (p *Pump) stop() {
	p.quit <- struct{}{} // want `can block forever`
}

// SafePump's Stop gives up when the loop has already ended by its context.
type SafePump struct {
	quit chan struct{}
	ctx  context.Context
}

// NewSafePump returns a pump.
func NewSafePump() *SafePump { return &SafePump{quit: make(chan struct{})} }

// Run pumps until ctx ends or Stop.
func (p *SafePump) Run(ctx context.Context) {
	p.ctx = ctx
	go p.loop(ctx)
}

func (p *SafePump) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.quit:
			return
		default:
			render()
		}
	}
}

// Stop stops the pump unless it has stopped.
func (p *SafePump) Stop() {
	select {
	case p.quit <- struct{}{}:
	case <-p.ctx.Done():
	}
}

// Job's Go starts the work and Result waits for it; the work gives up
// on the caller's context without answering a Result already waiting: a
// receive on a stopped producer, like Ticks, not reported.
type Job struct {
	res chan int
}

// NewJob returns a job.
func NewJob() *Job { return &Job{res: make(chan int)} }

// Go starts the work.
func (j *Job) Go(ctx context.Context) {
	go func() {
		select {
		case j.res <- 42:
		case <-ctx.Done():
		}
	}()
}

// Result waits for the work's answer.
func (j *Job) Result() int {
	return <-j.res
}

// SafeJob's work always answers: res has room for the one answer.
type SafeJob struct {
	res chan int
}

// NewSafeJob returns a job.
func NewSafeJob() *SafeJob { return &SafeJob{res: make(chan int, 1)} }

// Go starts the work.
func (j *SafeJob) Go(ctx context.Context) {
	go func() {
		if ctx.Err() != nil {
			j.res <- -1
			return
		}
		j.res <- 42
	}()
}

// Result waits for the work's answer.
func (j *SafeJob) Result() int {
	return <-j.res
}

// once serves one request and ends: a second Send is the caller's misuse
// (an object used after its end), not reported.
type Once struct {
	in chan int
}

// NewOnce starts the one-shot server.
func NewOnce() *Once {
	o := &Once{in: make(chan int)}
	go func() {
		use(<-o.in)
	}()
	return o
}

// Send hands the one request over.
func (o *Once) Send(v int) { o.in <- v }

var errSetup = errors.New("setup")

func setup() error { return nil }

// Server's Start may fail before it starts the loop; a Close racing a
// failed Start is the caller's misuse, not reported.
type Server struct {
	quit chan struct{}
}

// NewServer returns a server.
func NewServer() *Server { return &Server{quit: make(chan struct{})} }

// Start starts the loop.
func (s *Server) Start() error {
	if err := setup(); err != nil {
		return err
	}
	go func() {
		<-s.quit
	}()
	return nil
}

// Close stops the loop.
func (s *Server) Close() { s.quit <- struct{}{} }

// Conn's Serve runs the loop in the caller's goroutine until stop; a Send
// from another goroutine that already waits is left blocked when stop
// wins. A Send alone has no receiver at all: the pair is the harness.
type Conn struct {
	msgs chan string
}

// NewConn returns a connection.
func NewConn() *Conn { return &Conn{msgs: make(chan string)} }

// Serve handles messages until stop is closed.
func (c *Conn) Serve(stop <-chan struct{}) {
	for {
		select {
		case m := <-c.msgs:
			_ = m
		case <-stop:
			return
		}
	}
}

// Send hands a message to Serve.
func (c *Conn) Send(m string) {
	c.msgs <- m // want `can block forever`
}

// SafeConn's Serve closes served when it returns; Send watches it.
type SafeConn struct {
	msgs   chan string
	served chan struct{}
}

// NewSafeConn returns a connection.
func NewSafeConn() *SafeConn {
	return &SafeConn{msgs: make(chan string), served: make(chan struct{})}
}

// Serve handles messages until stop is closed.
func (c *SafeConn) Serve(stop <-chan struct{}) {
	defer close(c.served)
	for {
		select {
		case m := <-c.msgs:
			_ = m
		case <-stop:
			return
		}
	}
}

// Send hands a message to Serve unless it has returned.
func (c *SafeConn) Send(m string) {
	select {
	case c.msgs <- m:
	case <-c.served:
	}
}

package real

import (
	"context"
	"sync"
	"time"
)

// docker/compose#14114: a progress writer's Start runs a render loop that
// returns on ctx.Done() or a value on its unbuffered done field; Done
// sends that value. Both are called only through the writer's interface,
// so the send had no known caller: after the context is cancelled the
// loop is gone and Done blocks forever. Fix (compose#14119): Done closes
// the channel, once.

// Upstream: docker/compose#14114
type tracker interface {
	Begin(ctx context.Context, op string)
	Finish(op string)
}

type lineWriter struct {
	over chan bool
	op   string
}

func newLineWriter() tracker { return &lineWriter{over: make(chan bool)} }

func (w *lineWriter) Begin(ctx context.Context, op string) {
	w.op = op
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.over:
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

func (w *lineWriter) Finish(op string) {
	w.over <- true // want `this send on an unbuffered channel \(field over\) has one receiver, the select in Begin\$1`
}

func runTracked(ctx context.Context, t tracker, f func() error) error {
	t.Begin(ctx, "up")
	err := f()
	t.Finish("up")
	return err
}

// TrackedUp runs f under the line writer.
func TrackedUp(ctx context.Context, f func() error) error {
	return runTracked(ctx, newLineWriter(), f)
}

// The fix: Finish closes the channel once and never waits for the loop.
type onceTracker interface {
	Begin(ctx context.Context)
	Finish()
}

type onceWriter struct {
	over chan struct{}
	once sync.Once
}

func newOnceWriter() onceTracker { return &onceWriter{over: make(chan struct{})} }

func (w *onceWriter) Begin(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.over:
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

func (w *onceWriter) Finish() { w.once.Do(func() { close(w.over) }) }

// OnceUp runs f under the fixed writer.
func OnceUp(ctx context.Context, f func()) {
	t := newOnceWriter()
	t.Begin(ctx)
	f()
	t.Finish()
}

// A variant: the stop is a function literal kept in a package variable
// and the interface value sits in a field of another struct.
type spinner struct {
	halt chan bool
}

type spinSession struct{ p spinnerAPI }

type spinnerAPI interface{ spin(ctx context.Context) }

func (s *spinner) spin(ctx context.Context) {
	go func() {
		for {
			select {
			case <-s.halt:
				return
			case <-ctx.Done():
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
}

var stopSpinner = func(s *spinner) {
	s.halt <- true // want `this send on an unbuffered channel \(field halt\) has one receiver, the select in spin\$1`
}

// Spin spins while f runs.
func Spin(ctx context.Context, f func()) {
	sp := &spinner{halt: make(chan bool)}
	ss := &spinSession{p: sp}
	ss.p.spin(ctx)
	f()
	stopSpinner(sp)
}

// A look-alike that stays silent: two types implement the interface, so
// which Begin runs (and whether it starts a loop at all) is not decided.
type meter interface {
	Begin(ctx context.Context)
	Finish()
}

type loopMeter struct{ over chan bool }

func (m *loopMeter) Begin(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
		case <-m.over:
		}
	}()
}

func (m *loopMeter) Finish() { m.over <- true }

type nopMeter struct{}

func (nopMeter) Begin(context.Context) {}
func (nopMeter) Finish()               {}

// Measure runs f under one of two meters.
func Measure(ctx context.Context, quiet bool, f func()) {
	var m meter = nopMeter{}
	if !quiet {
		m = &loopMeter{over: make(chan bool)}
	}
	m.Begin(ctx)
	f()
	m.Finish()
}

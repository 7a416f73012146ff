package real

import (
	"context"
	"errors"
	"sync"
)

// A loop that stops on a signal sends plainly on an unbuffered private
// field whose only receivers select on their own stop case, and another
// function closes the field. The close does not rescue a sender already
// blocked (it would panic, not wake), so the send still waits for ever
// once the receiver has left.

// Upstream: cloudevents/sdk-go#936. A consumer-group handler hands each
// claimed record to the application with a plain send; the application's
// Receive selects on its own context and the hand-off channel, and Close
// closes the hand-off under a sync.Once. When the application's context
// ends first, the handler blocks on the send and never reaches its
// session's Done case. Fix: the send is a select with the session's Done.

type handoffSession interface {
	Context() context.Context
}

type handoffRecv struct {
	once sync.Once
	in   chan []byte
}

func newHandoffRecv() *handoffRecv { return &handoffRecv{in: make(chan []byte)} }

func (r *handoffRecv) Close() {
	r.once.Do(func() { close(r.in) })
}

func (r *handoffRecv) consume(s handoffSession, records <-chan []byte) {
	for {
		select {
		case rec, ok := <-records:
			if !ok {
				return
			}
			r.in <- rec // want `the loop in consume stops when the case at line \d+ fires, but this send on field in, an unbuffered channel, does not watch it; the field's only receiver, the select in Receive`
		case <-s.Context().Done():
			return
		}
	}
}

func (r *handoffRecv) Receive(ctx context.Context) ([]byte, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case rec, ok := <-r.in:
		if !ok {
			return nil, errors.New("closed")
		}
		return rec, nil
	}
}

// The fix: the hand-off watches the session too.
type handoffRecvFixed struct {
	once sync.Once
	in   chan []byte
}

func newHandoffRecvFixed() *handoffRecvFixed { return &handoffRecvFixed{in: make(chan []byte)} }

func (r *handoffRecvFixed) Close() {
	r.once.Do(func() { close(r.in) })
}

func (r *handoffRecvFixed) consume(s handoffSession, records <-chan []byte) {
	for {
		select {
		case rec, ok := <-records:
			if !ok {
				return
			}
			select {
			case r.in <- rec:
			case <-s.Context().Done():
				return
			}
		case <-s.Context().Done():
			return
		}
	}
}

func (r *handoffRecvFixed) Receive(ctx context.Context) ([]byte, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case rec, ok := <-r.in:
		if !ok {
			return nil, errors.New("closed")
		}
		return rec, nil
	}
}

// A variant: a quit channel instead of a context on both sides, and a
// Stop that closes the data channel with a plain close.
type tickPump struct {
	quit  chan struct{}
	halt  chan struct{}
	ticks chan int
}

func newTickPump() *tickPump {
	return &tickPump{quit: make(chan struct{}), halt: make(chan struct{}), ticks: make(chan int)}
}

func (p *tickPump) Stop() {
	close(p.halt)
	close(p.ticks)
}

func (p *tickPump) run(src func() int) {
	for n := 0; ; n++ {
		select {
		case <-p.quit:
			return
		default:
		}
		p.ticks <- src() + n // want `the loop in run stops when the case at line \d+ fires, but this send on field ticks, an unbuffered channel, does not watch it`
	}
}

func (p *tickPump) Next() (int, bool) {
	select {
	case v := <-p.ticks:
		return v, true
	case <-p.halt:
		return 0, false
	}
}

// A variant: the close is deferred by the receiving side's shutdown.
type lineFeed struct {
	lines chan string
	done  chan struct{}
}

func newLineFeed() *lineFeed { return &lineFeed{lines: make(chan string), done: make(chan struct{})} }

func (f *lineFeed) shutdown() {
	defer close(f.lines)
	close(f.done)
}

func (f *lineFeed) pump(ctx context.Context, read func() string) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			f.lines <- read() // want `the loop in pump stops when the case at line \d+ fires, but this send on field lines, an unbuffered channel, does not watch it`
		}
	}
}

func (f *lineFeed) Line(ctx context.Context) string {
	select {
	case l := <-f.lines:
		return l
	case <-ctx.Done():
		return ""
	case <-f.done:
		return ""
	}
}

// A look-alike: the receiver's only other way out is a channel the
// sender closes itself when it returns, so the receiver cannot leave
// while a send is pending; Close, elsewhere, closes the data channel.
type closingFeed struct {
	vals     chan int
	finished chan struct{}
}

func newClosingFeed() *closingFeed {
	return &closingFeed{vals: make(chan int), finished: make(chan struct{})}
}

func (f *closingFeed) Close() { close(f.vals) }

func (f *closingFeed) feed(ctx context.Context, next func() int) {
	defer close(f.finished)
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		f.vals <- next()
	}
}

func (f *closingFeed) Get() (int, bool) {
	select {
	case v, ok := <-f.vals:
		return v, ok
	case <-f.finished:
		return 0, false
	}
}

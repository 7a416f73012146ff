package real

import (
	"context"
	"time"
)

// Channels reached through accessors: a method whose result is the
// channel of a field of its receiver (func (e *evCh) in() chan<- T {
// return e.ch }) is a load of that field, and when the package makes
// every call of it, its callers' sends and receives are the field's own.

// Upstream: pingcap/ticdc#4440. The coordinator's message handler checks
// its context once, in a select whose default does the send on the event
// channel, reached through its In accessor; the run loop receives through
// Out in a select that returns on the same context. Once the loop has
// returned, the handler's send blocks forever, and the message center
// that called it with it. Fix (ticdc#4441): the send is a case of the
// select that watches the context.
type evCh struct {
	ch chan int
}

func (e *evCh) In() chan<- int  { return e.ch }
func (e *evCh) Out() <-chan int { return e.ch }

type coordinator struct {
	events  *evCh
	handled int
}

func newCoordinator() *coordinator {
	return &coordinator{events: &evCh{ch: make(chan int)}}
}

func (c *coordinator) recvMessage(ctx context.Context, msg int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		c.events.In() <- msg // want `this send on an unbuffered channel \(field ch\) has one receiver, the select in run`
	}
	return nil
}

func (c *coordinator) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-c.events.Out():
			c.handled += ev
		}
	}
}

func startCoordinator(ctx context.Context, msgs <-chan int) {
	c := newCoordinator()
	go c.run(ctx)
	go func() {
		for m := range msgs {
			_ = c.recvMessage(ctx, m)
		}
	}()
}

// The fix: the send is a case of the select on the context.
type evChFixed struct {
	ch chan int
}

func (e *evChFixed) In() chan<- int  { return e.ch }
func (e *evChFixed) Out() <-chan int { return e.ch }

type coordinatorFixed struct {
	events  *evChFixed
	handled int
}

func newCoordinatorFixed() *coordinatorFixed {
	return &coordinatorFixed{events: &evChFixed{ch: make(chan int)}}
}

func (c *coordinatorFixed) recvMessage(ctx context.Context, msg int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case c.events.In() <- msg:
	}
	return nil
}

func (c *coordinatorFixed) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-c.events.Out():
			c.handled += ev
		}
	}
}

func startCoordinatorFixed(ctx context.Context, msgs <-chan int) {
	c := newCoordinatorFixed()
	go c.run(ctx)
	go func() {
		for m := range msgs {
			_ = c.recvMessage(ctx, m)
		}
	}()
}

// A variant: a loop that stops on its quit channel forwards values with a
// plain send through a value-receiver accessor, and the consumer takes
// them through the same accessor in a select that returns on its context.
type strPipe struct {
	ch chan string
}

func (p strPipe) c() chan string { return p.ch }

type fwdStage struct {
	out  strPipe
	quit chan struct{}
	seen []string
}

func newFwdStage() *fwdStage {
	return &fwdStage{out: strPipe{ch: make(chan string)}, quit: make(chan struct{})}
}

func (s *fwdStage) forward(src <-chan string) {
	for {
		var v string
		select {
		case <-s.quit:
			return
		case v = <-src:
		}
		s.out.c() <- v // want `this send on an unbuffered channel \(field ch\) has one receiver, the select in consume`
	}
}

func (s *fwdStage) consume(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-s.out.c():
			s.seen = append(s.seen, v)
		}
	}
}

func runFwdStage(ctx context.Context, src <-chan string) *fwdStage {
	s := newFwdStage()
	go s.forward(src)
	go s.consume(ctx)
	return s
}

// Look-alike: the same handler and accessors, but the run loop never
// leaves: it receives plainly, for as long as the program runs, so the
// handler's send always finds it.
type evChServed struct {
	ch chan int
}

func (e *evChServed) In() chan<- int  { return e.ch }
func (e *evChServed) Out() <-chan int { return e.ch }

type coordinatorServed struct {
	events  *evChServed
	handled int
}

func (c *coordinatorServed) recvMessage(ctx context.Context, msg int) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		c.events.In() <- msg
	}
	return nil
}

func (c *coordinatorServed) run() {
	for {
		ev := <-c.events.Out()
		c.handled += ev
	}
}

func startCoordinatorServed(ctx context.Context, msgs <-chan int) {
	c := &coordinatorServed{events: &evChServed{ch: make(chan int)}}
	go c.run()
	go func() {
		for m := range msgs {
			_ = c.recvMessage(ctx, m)
		}
	}()
}

// Upstream: hashicorp/consul#9689. The state's Watch starts its runner
// and returns the snapshot channel field; the manager hands that result
// straight to its broadcast goroutine (go m.notifyBroadcast(st.Watch())),
// which the class does not follow. Watch is then no mere load of the
// field: it hands the channel out, and the runner, whose loop stops on
// its context, sends on it plainly (the receiver can stop first; in
// consul it waited for the manager lock held by a caller waiting for the
// runner). Fix (consul#9689): the send is a select with a default that
// re-arms the coalesce timer.
type snapState struct {
	snapCh chan int
	reqCh  chan chan int
	cancel context.CancelFunc
}

func newSnapState() *snapState {
	return &snapState{snapCh: make(chan int, 1), reqCh: make(chan chan int, 1)}
}

func (s *snapState) Watch() <-chan int {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.run(ctx)
	return s.snapCh
}

func (s *snapState) run(ctx context.Context) {
	snap := 0
	for {
		select {
		case <-ctx.Done():
			return
		case reply := <-s.reqCh:
			reply <- snap
		case <-time.After(time.Second):
			snap++
			s.snapCh <- snap // want `the loop in run stops when the case at line \d+ fires, but this send on field snapCh does not watch it; Watch hands that channel to its caller`
		}
	}
}

type snapManager struct {
	states map[string]*snapState
	last   int
}

func (m *snapManager) Register(id string) {
	st := newSnapState()
	m.states[id] = st
	go m.notifyBroadcast(st.Watch())
}

func (m *snapManager) notifyBroadcast(ch <-chan int) {
	for v := range ch {
		m.last = v
	}
}

// The fix: the runner's send does not block.
type snapStateFixed struct {
	snapCh chan int
	cancel context.CancelFunc
}

func (s *snapStateFixed) Watch() <-chan int {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.run(ctx)
	return s.snapCh
}

func (s *snapStateFixed) run(ctx context.Context) {
	snap := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
			snap++
			select {
			case s.snapCh <- snap:
			default:
			}
		}
	}
}

type snapManagerFixed struct {
	states map[string]*snapStateFixed
	last   int
}

func (m *snapManagerFixed) Register(id string) {
	st := &snapStateFixed{snapCh: make(chan int, 1)}
	m.states[id] = st
	go m.notifyBroadcast(st.Watch())
}

func (m *snapManagerFixed) notifyBroadcast(ch <-chan int) {
	for v := range ch {
		m.last = v
	}
}

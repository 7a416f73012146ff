package real

import (
	"context"
	"errors"
	"time"
)

// Upstream: hyperledger/fabric-sdk-go#72. An event client asks its
// dispatcher goroutine to connect by submitting an event that carries a
// fresh unbuffered reply channel (an exported field of directional type),
// boxed in an interface, and waits for the reply only until a timeout. The
// dispatcher picks the event out with a type switch and replies with a
// plain send: after a timeout nobody reads, and the dispatcher, which
// serves every other event too, blocks forever. Fix: a buffer of one.
type dispEvent any

type dialEvent struct {
	ErrCh chan<- error
}

type dispatcher struct {
	events chan dispEvent
	dial   func() error
}

func (d *dispatcher) run() {
	for e := range d.events {
		d.handle(e)
	}
}

func (d *dispatcher) handle(e dispEvent) {
	switch evt := e.(type) {
	case *dialEvent:
		err := d.dial()
		evt.ErrCh <- err // want `this plain send replies on field ErrCh, and dialOnce fills that field with an unbuffered channel \(line \d+\) whose only receive, in dialOnce, is a select \(line \d+\) that can give up through another case and return \(line \d+\)`
	}
}

type eventClient struct {
	d       *dispatcher
	timeout time.Duration
}

func (c *eventClient) submit(e dispEvent) { c.d.events <- e }

func (c *eventClient) dialOnce() error {
	errch := make(chan error)
	c.submit(&dialEvent{ErrCh: errch})
	select {
	case err := <-errch:
		return err
	case <-time.After(c.timeout):
		return errors.New("timeout")
	}
}

// The fix: the reply channel has room for the late reply.
type dialEventFixed struct {
	ErrCh chan<- error
}

type dispatcherFixed struct {
	events chan dispEvent
	dial   func() error
}

func (d *dispatcherFixed) handle(e dispEvent) {
	switch evt := e.(type) {
	case *dialEventFixed:
		evt.ErrCh <- d.dial()
	}
}

func (d *dispatcherFixed) dialOnce(timeout time.Duration) error {
	errch := make(chan error, 1)
	d.events <- &dialEventFixed{ErrCh: errch}
	select {
	case err := <-errch:
		return err
	case <-time.After(timeout):
		return errors.New("timeout")
	}
}

// A variant written another way: the job is a struct value sent on a typed
// queue, its reply channel is read back through the job's field on both
// sides, the requester gives up on its context, and the worker replies
// from a helper method.
type job struct {
	key  string
	done chan int
}

type lookupPool struct {
	jobs chan job
}

func (p *lookupPool) work() {
	for {
		j, ok := <-p.jobs
		if !ok {
			return
		}
		p.finish(j)
	}
}

func (p *lookupPool) finish(j job) {
	j.done <- len(j.key) // want `this plain send replies on field done, and Lookup fills that field with an unbuffered channel`
}

func (p *lookupPool) Lookup(ctx context.Context, key string) (int, error) {
	j := job{key: key, done: make(chan int)}
	p.jobs <- j
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case n := <-j.done:
		return n, nil
	}
}

// Another variant: a stopped timer guards the wait, and the requester
// names its channel before building the request.
type statusReq struct {
	reply chan string
}

type statusLoop struct {
	reqs chan *statusReq
}

func (l *statusLoop) serve() {
	for r := range l.reqs {
		r.reply <- "ok" // want `this plain send replies on field reply, and Status fills that field`
	}
}

func (l *statusLoop) Status(d time.Duration) (string, bool) {
	reply := make(chan string)
	r := &statusReq{}
	r.reply = reply
	l.reqs <- r
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case s := <-reply:
		return s, true
	case <-t.C:
		return "", false
	}
}

// Look-alike: the worker answers in a select that also watches the
// request's context, so a requester that gave up costs nothing.
type guardedReq struct {
	ctx   context.Context
	reply chan int
}

type guardedLoop struct {
	reqs chan *guardedReq
}

func (l *guardedLoop) serve() {
	for r := range l.reqs {
		select {
		case r.reply <- 1:
		case <-r.ctx.Done():
		}
	}
}

func (l *guardedLoop) Get(ctx context.Context) (int, error) {
	r := &guardedReq{ctx: ctx, reply: make(chan int)}
	l.reqs <- r
	select {
	case v := <-r.reply:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Look-alike: the requester never gives up.
type patientReq struct {
	reply chan int
}

type patientLoop struct {
	reqs chan *patientReq
}

func (l *patientLoop) serve() {
	for r := range l.reqs {
		r.reply <- 2
	}
}

func (l *patientLoop) Get() int {
	reply := make(chan int)
	l.reqs <- &patientReq{reply: reply}
	return <-reply
}

// Look-alike: the requester gives up only when the loop itself has
// stopped (it closes its closed channel on the way out, after its last
// reply), so no reply is pending then.
type stoppingReq struct {
	reply chan int
}

type stoppingLoop struct {
	reqs   chan *stoppingReq
	quit   chan struct{}
	closed chan struct{}
}

func (l *stoppingLoop) serve() {
	defer close(l.closed)
	for {
		select {
		case r := <-l.reqs:
			r.reply <- 3
		case <-l.quit:
			return
		}
	}
}

func (l *stoppingLoop) Get() (int, bool) {
	reply := make(chan int)
	select {
	case l.reqs <- &stoppingReq{reply: reply}:
	case <-l.closed:
		return 0, false
	}
	select {
	case v := <-reply:
		return v, true
	case <-l.closed:
		return 0, false
	}
}

// A variant with no request struct: the reply channel itself is queued on
// a channel of channels (in a select that watches the context), and the
// owner loop answers whatever it takes from the queue, in a for-select.
type counter struct {
	asks chan chan int
	incs chan struct{}
	n    int
}

func (c *counter) loop() {
	for {
		select {
		case <-c.incs:
			c.n++
		case r := <-c.asks:
			r <- c.n // want `this plain send replies on a channel received from queue asks, and Value fills that queue with an unbuffered channel`
		}
	}
}

func (c *counter) Value(ctx context.Context) (int, error) {
	r := make(chan int)
	select {
	case c.asks <- r:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case n := <-r:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Its look-alike: the asker waits for the answer once the question is
// taken, so the owner's reply always finds it.
type counterPatient struct {
	asks chan chan int
	n    int
}

func (c *counterPatient) loop() {
	for r := range c.asks {
		r <- c.n
	}
}

func (c *counterPatient) Value(ctx context.Context) (int, error) {
	r := make(chan int)
	select {
	case c.asks <- r:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return <-r, nil
}

// A variant with a submit helper: it builds the request, queues it and
// returns the reply channel; its caller waits on what the helper returned,
// and gives up through a default when the answer is not there yet.
type probeReq struct {
	target string
	res    chan bool
}

type prober struct {
	reqs chan *probeReq
}

func (p *prober) loop(check func(string) bool) {
	for r := range p.reqs {
		r.res <- check(r.target) // want `this plain send replies on field res, and submitProbe fills that field with an unbuffered channel \(line \d+\) whose only receive, in Healthy, is a select`
	}
}

func (p *prober) submitProbe(target string) <-chan bool {
	r := &probeReq{target: target, res: make(chan bool)}
	p.reqs <- r
	return r.res
}

func (p *prober) Healthy(target string) bool {
	res := p.submitProbe(target)
	time.Sleep(time.Millisecond)
	select {
	case ok := <-res:
		return ok
	default:
		return false
	}
}

// Its look-alike: the caller of the helper waits for the answer.
type probeReqPatient struct {
	target string
	res    chan bool
}

type proberPatient struct {
	reqs chan *probeReqPatient
}

func (p *proberPatient) loop(check func(string) bool) {
	for r := range p.reqs {
		r.res <- check(r.target)
	}
}

func (p *proberPatient) submitProbe(target string) <-chan bool {
	r := &probeReqPatient{target: target, res: make(chan bool)}
	p.reqs <- r
	return r.res
}

func (p *proberPatient) Healthy(target string) bool {
	return <-p.submitProbe(target)
}

package real

import (
	"errors"
	"sync"
	"time"
)

// libp2p/go-libp2p#49: identifying a connection registers a wait channel
// for it in a map; a second identify of the same connection finds the
// channel and waits on it. The first returns on an error before its
// close, leaving the channel in the map and open, so every later caller
// waits forever. Fix: defer close right after the channel is registered.
// (A published wait channel closed on some paths only.)
type peerConn interface {
	Open() (stream, error)
}

type stream interface{ Close() error }

type identifier struct {
	mu      sync.Mutex
	pending map[peerConn]chan struct{}
	run     func(stream) error
}

func (id *identifier) identify(c peerConn) {
	id.mu.Lock()
	if wait, found := id.pending[c]; found {
		id.mu.Unlock()
		<-wait // want `this receive waits on a channel taken from pending, which identify makes, stores there and closes on some paths only: on the path that returns at line \d+ the channel stays in the map unclosed`
		return
	}
	done := make(chan struct{})
	id.pending[c] = done
	id.mu.Unlock()

	s, err := c.Open()
	if err != nil {
		return
	}
	if err := id.run(s); err != nil {
		s.Close()
		return
	}
	id.mu.Lock()
	delete(id.pending, c)
	id.mu.Unlock()
	close(done)
}

type identifierFixed struct {
	mu      sync.Mutex
	pending map[peerConn]chan struct{}
	run     func(stream) error
}

func (id *identifierFixed) identify(c peerConn) {
	id.mu.Lock()
	if wait, found := id.pending[c]; found {
		id.mu.Unlock()
		<-wait
		return
	}
	done := make(chan struct{})
	id.pending[c] = done
	id.mu.Unlock()
	defer close(done)

	s, err := c.Open()
	if err != nil {
		return
	}
	if err := id.run(s); err != nil {
		s.Close()
		return
	}
	id.mu.Lock()
	delete(id.pending, c)
	id.mu.Unlock()
}

// The same mistake written another way: a package-level map, the waiter
// in another function that looks the channel up without the comma-ok
// form, and the skipped close on a break out of a retry loop that falls
// through to the return.
var (
	loadsMu  sync.Mutex
	inflight = map[string]chan bool{}
)

func waitLoad(key string) {
	loadsMu.Lock()
	ch := inflight[key]
	loadsMu.Unlock()
	if ch != nil {
		<-ch // want `this receive waits on a channel taken from inflight, which startLoad makes, stores there and closes on some paths only`
	}
}

func startLoad(key string, load func(string) error) error {
	ready := make(chan bool)
	loadsMu.Lock()
	inflight[key] = ready
	loadsMu.Unlock()
	var err error
	for try := 0; try < 3; try++ {
		if err = load(key); err == nil {
			break
		}
		if errors.Is(err, errPermanent) {
			break
		}
	}
	if err != nil {
		return err
	}
	close(ready)
	return nil
}

var errPermanent = errors.New("permanent")

// Look-alike: the failing path takes the entry out under the same lock
// before anyone can look it up again (and nobody else closes it).
type fetcher struct {
	mu    sync.Mutex
	calls map[string]chan struct{}
}

func (f *fetcher) wait(key string) {
	f.mu.Lock()
	ch, ok := f.calls[key]
	f.mu.Unlock()
	if ok {
		<-ch
	}
}

func (f *fetcher) start(key string, get func(string) error) error {
	ch := make(chan struct{})
	f.mu.Lock()
	f.calls[key] = ch
	if err := get(key); err != nil {
		delete(f.calls, key)
		f.mu.Unlock()
		return err
	}
	f.mu.Unlock()
	close(ch)
	return nil
}

// Look-alike: the waiters give up after a while, so an unclosed channel
// does not hold them forever.
type patientWaiters struct {
	mu      sync.Mutex
	pending map[int]chan struct{}
}

func (p *patientWaiters) wait(id int) bool {
	p.mu.Lock()
	ch, ok := p.pending[id]
	p.mu.Unlock()
	if !ok {
		return true
	}
	select {
	case <-ch:
		return true
	case <-time.After(time.Second):
		return false
	}
}

func (p *patientWaiters) run(id int, work func() error) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.pending[id] = ch
	p.mu.Unlock()
	if work() != nil {
		return
	}
	close(ch)
}

// Look-alike: a shutdown path closes every channel still in the map, so
// an entry left open on an error is closed there.
type regDrainer struct {
	mu      sync.Mutex
	pending map[int]chan struct{}
}

func (d *regDrainer) wait(id int) {
	d.mu.Lock()
	ch := d.pending[id]
	d.mu.Unlock()
	<-ch
}

func (d *regDrainer) run(id int, work func() error) {
	ch := make(chan struct{})
	d.mu.Lock()
	d.pending[id] = ch
	d.mu.Unlock()
	if work() != nil {
		return
	}
	close(ch)
}

func (d *regDrainer) shutdown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, ch := range d.pending {
		close(ch)
		delete(d.pending, id)
	}
}

// The same mistake with the channel in a field of a struct kept in the
// map (the shape of a call-deduplicating group): the first caller runs
// the function and closes the call's done channel on success only.
type dedupCall struct {
	done chan struct{}
	val  string
	err  error
}

type dedupGroup struct {
	mu    sync.Mutex
	calls map[string]*dedupCall
}

func (g *dedupGroup) Do(key string, fn func() (string, error)) (string, error) {
	g.mu.Lock()
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		<-c.done // want `this receive waits on field done of dedupCall, which Do makes, publishes at line \d+ and closes on some paths only: on the path that returns at line \d+ the published channel is never closed`
		return c.val, c.err
	}
	c := &dedupCall{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()
	c.val, c.err = fn()
	if c.err != nil {
		return "", c.err
	}
	close(c.done)
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	return c.val, nil
}

type dedupCallFixed struct {
	done chan struct{}
	val  string
	err  error
}

type dedupGroupFixed struct {
	mu    sync.Mutex
	calls map[string]*dedupCallFixed
}

func (g *dedupGroupFixed) Do(key string, fn func() (string, error)) (string, error) {
	g.mu.Lock()
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c := &dedupCallFixed{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()
	defer close(c.done)
	c.val, c.err = fn()
	if c.err != nil {
		return "", c.err
	}
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	return c.val, nil
}

// And published through a field of the receiver, with the waiter in
// another method and the skipped close on a switch case.
type syncRound struct {
	finished chan struct{}
	n        int
}

type syncer struct {
	mu      sync.Mutex
	current *syncRound
}

func (s *syncer) WaitRound() {
	s.mu.Lock()
	r := s.current
	s.mu.Unlock()
	if r != nil {
		<-r.finished // want `this receive waits on field finished of syncRound, which begin makes, publishes at line \d+ and closes on some paths only`
	}
}

func (s *syncer) begin(kind int, step func() error) error {
	r := &syncRound{finished: make(chan struct{})}
	s.mu.Lock()
	s.current = r
	s.mu.Unlock()
	switch kind {
	case 0:
		return nil
	default:
		if err := step(); err != nil {
			return err
		}
	}
	close(r.finished)
	return nil
}

// Look-alike: a two-phase protocol in one handler, which makes the entry
// on one message and closes it, looked up again, on another.
type transfer struct {
	complete chan struct{}
}

type transfers struct {
	mu     sync.Mutex
	active map[int]*transfer
}

func (t *transfers) handle(id int, last bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !last {
		t.active[id] = &transfer{complete: make(chan struct{})}
		return
	}
	if x, ok := t.active[id]; ok {
		close(x.complete)
		delete(t.active, id)
	}
}

func (t *transfers) wait(id int) {
	t.mu.Lock()
	x := t.active[id]
	t.mu.Unlock()
	if x != nil {
		<-x.complete
	}
}

package dev

import (
	"io"
	"log"
	"sync"
)

// Upstream: rdeusser/logsip#18
//
// A wrapper's method meant to call the embedded type's method of the same
// name calls itself, holding the lock it takes on entry.
type wrapLogger struct {
	*log.Logger
	mu sync.Mutex
}

func (l *wrapLogger) SetOutput(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.SetOutput(w) // want `l.mu is locked again inside l.SetOutput`
}

// setOutputFixed is the fix: the embedded logger's method.
func (l *wrapLogger) setOutputFixed(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Logger.SetOutput(w)
}

// register is the variant on a package variable: a plain function
// that registers an alias under its canonical name, holding the lock.
var (
	regMu   sync.Mutex
	aliases = map[string]string{}
	names   = map[string]bool{}
)

func register(name string) {
	regMu.Lock()
	defer regMu.Unlock()
	if canon, ok := aliases[name]; ok {
		register(canon) // want `regMu is locked again inside register`
		return
	}
	names[name] = true
}

// depth is the look-alike: the recursion stops before it locks, and the
// lock it takes is not in its entry block.
type walker struct {
	mu    sync.Mutex
	seen  int
	child *walker
}

func (w *walker) depth(n int) int {
	if n == 0 {
		return 0
	}
	w.mu.Lock()
	w.seen++
	w.mu.Unlock()
	return w.depth(n-1) + 1
}

// walk is the look-alike on another object: the child's lock, not the
// receiver's.
func (w *walker) walk() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child != nil {
		w.child.walk()
	}
}

// Upstream: tendermint/abci#115
//
// A reusable base calls the embedding object's hook through an interface
// field the object sets to itself; the object's method calls the base's
// method holding its own lock, and the hook locks it again.
type svcHooks interface{ onStop() }

type baseSvc struct {
	stopped bool
	impl    svcHooks
}

func (b *baseSvc) Stop() {
	if !b.stopped {
		b.stopped = true
		b.impl.onStop()
	}
}

type sockClient struct {
	baseSvc
	mtx sync.Mutex
	err error
}

func newSockClient() *sockClient {
	c := &sockClient{}
	c.baseSvc = baseSvc{impl: c}
	return c
}

func (c *sockClient) onStop() {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	c.err = io.EOF
}

func (c *sockClient) stopForError(err error) {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	c.err = err
	c.Stop() // want `c.baseSvc.impl.mtx is locked again inside c.baseSvc.Stop`
}

// stopForErrorFixed is the fix: the lock is released before Stop.
func (c *sockClient) stopForErrorFixed(err error) {
	c.mtx.Lock()
	c.err = err
	c.mtx.Unlock()
	c.Stop()
}

// pipeClient is the variant setting the promoted field directly, on a
// base of its own.
type pipeHooks interface{ closed() }

type pipeBase struct{ hooks pipeHooks }

func (b *pipeBase) Close() { b.hooks.closed() }

type pipeClient struct {
	pipeBase
	mu sync.Mutex
}

func newPipeClient() *pipeClient {
	p := &pipeClient{}
	p.hooks = p
	return p
}

func (p *pipeClient) closed() {
	p.mu.Lock()
	p.mu.Unlock()
}

func (p *pipeClient) fail() {
	p.mu.Lock()
	p.pipeBase.Close() // want `p.pipeBase.hooks.mu is locked again inside p.pipeBase.Close`
	p.mu.Unlock()
}

// relayClient is the look-alike: its base's hook is another object (the
// parent it reports to), so stopping it does not lock itself.
type relayHooks interface{ relayStopped() }

type relayBase struct{ hook relayHooks }

func (b *relayBase) Stop() { b.hook.relayStopped() }

type relayClient struct {
	relayBase
	mu sync.Mutex
}

type relayParent struct{ mu sync.Mutex }

func (r *relayParent) relayStopped() {
	r.mu.Lock()
	r.mu.Unlock()
}

func (r *relayClient) relayStopped() {
	r.mu.Lock()
	r.mu.Unlock()
}

func newRelayClient(parent *relayParent) *relayClient {
	r := &relayClient{}
	r.relayBase = relayBase{hook: parent}
	return r
}

func (r *relayClient) fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Stop()
}

// Upstream: pion/turn#91
//
// A handler locks an object it looked up (or made and published) around
// a call of the object's method that takes the same lock.
type allocation struct {
	mu       sync.Mutex
	lifetime int
}

func (a *allocation) setLifetime(d int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lifetime = d
}

type turnServer struct {
	lock        sync.RWMutex
	allocations map[string]*allocation
}

func (s *turnServer) refresh(key string, d int) {
	s.lock.RLock()
	a := s.allocations[key]
	s.lock.RUnlock()
	if a == nil {
		return
	}
	a.mu.Lock()
	a.setLifetime(d) // want `a.mu is locked again inside s.allocations\[…\].setLifetime`
	a.mu.Unlock()
}

// refreshFixed is the fix: setLifetime locks by itself.
func (s *turnServer) refreshFixed(key string, d int) {
	s.lock.RLock()
	a := s.allocations[key]
	s.lock.RUnlock()
	if a != nil {
		a.setLifetime(d)
	}
}

// allocate is the variant on a new object already published in the map.
func (s *turnServer) allocate(key string, d int) *allocation {
	a := &allocation{}
	s.lock.Lock()
	s.allocations[key] = a
	s.lock.Unlock()
	a.mu.Lock()
	a.setLifetime(d) // want `mu is locked again inside .*setLifetime`
	a.mu.Unlock()
	return a
}

// find is the variant with a call's result.
func (s *turnServer) find(key string) *allocation {
	s.lock.RLock()
	defer s.lock.RUnlock()
	return s.allocations[key]
}

func (s *turnServer) extend(key string, d int) {
	a := s.find(key)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.setLifetime(a.lifetime + d) // want `mu is locked again inside .*setLifetime`
}

// swap is the look-alike: two lookups, two objects (maybe the same, but
// not known to be).
func (s *turnServer) swap(k1, k2 string) {
	a, b := s.find(k1), s.find(k2)
	a.mu.Lock()
	defer a.mu.Unlock()
	b.setLifetime(a.lifetime)
}

// Upstream: cockroachdb/cockroach#63867
//
// A stopper runs its closers holding its mutex; a closer, a function
// adapted to the Closer interface by a named func type, locks each
// replica. Lease acquisition holds a replica's mutex and asks the
// stopper to run a task, which locks the stopper's. The mutexes are
// embedded in unnamed struct fields (`mu struct { sync.Mutex; … }`),
// named by the field that holds them.
type stopCloser interface{ Close() }

type stopCloserFn func()

func (f stopCloserFn) Close() { f() }

type stopper struct {
	mu struct {
		sync.Mutex
		stopping bool
		closers  []stopCloser
	}
}

func (s *stopper) AddCloser(c stopCloser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.closers = append(s.mu.closers, c)
}

func (s *stopper) RunTask(f func()) bool {
	s.mu.Lock()
	stopping := s.mu.stopping
	s.mu.Unlock()
	if !stopping {
		go f()
	}
	return !stopping
}

func (s *stopper) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.stopping = true
	for _, c := range s.mu.closers {
		c.Close() // want `lock order inversion by lock class: Stop locks s.mu.Mutex`
	}
}

// StopFixed is the fix: the closers run after the unlock.
func (s *stopper) StopFixed() {
	s.mu.Lock()
	s.mu.stopping = true
	closers := s.mu.closers
	s.mu.Unlock()
	for _, c := range closers {
		c.Close()
	}
}

type replica struct {
	mu struct {
		sync.Mutex
		destroyed bool
		pending   bool
	}
	st *replicaStore
}

type replicaStore struct {
	stopper  *stopper
	replicas []*replica
}

func (s *replicaStore) visit(f func(*replica)) {
	for _, r := range s.replicas {
		r.mu.Lock()
		destroyed := r.mu.destroyed
		r.mu.Unlock()
		if !destroyed {
			f(r)
		}
	}
}

func newReplicaStore(st *stopper) *replicaStore {
	s := &replicaStore{stopper: st}
	st.AddCloser(stopCloserFn(func() { s.visit(func(*replica) {}) }))
	return s
}

func (r *replica) requestLease() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.pending {
		return true
	}
	r.mu.pending = true
	return r.st.stopper.RunTask(func() {})
}

// The variant: an event bus whose listeners are functions adapted by a
// named func type with an argument, called under the bus's lock, and a
// listener that locks a session, whose owner publishes holding it.
type busListener interface{ On(ev int) }

type busListenerFunc func(ev int)

func (f busListenerFunc) On(ev int) { f(ev) }

type evBus struct {
	mu        sync.Mutex
	listeners map[string]busListener
}

func (b *evBus) publish(ev int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.listeners {
		l.On(ev) // want `lock order inversion by lock class: publish locks b.mu`
	}
}

type session struct {
	mu   sync.Mutex
	last int
	bus  *evBus
}

func (s *session) listen(b *evBus) {
	b.mu.Lock()
	b.listeners["s"] = busListenerFunc(func(ev int) {
		s.mu.Lock()
		s.last = ev
		s.mu.Unlock()
	})
	b.mu.Unlock()
}

func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bus.publish(-1)
}

// The look-alike: an adapted function that takes no lock.
type tickCloser interface{ Close() }

type tickFn func()

func (f tickFn) Close() { f() }

type ticker struct {
	mu    sync.Mutex
	ticks []tickCloser
	n     int
}

func (t *ticker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ticks = append(t.ticks, tickFn(func() {}))
}

func (t *ticker) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.ticks {
		c.Close()
	}
}

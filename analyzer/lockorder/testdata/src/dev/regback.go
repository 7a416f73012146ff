package dev

import "sync"

// Upstream: fyne-io/fyne#5487
//
// A data binding notifies its listeners while it still holds its write
// lock. A listener is made with a pointer back to the binding and added
// to it; its Changed reads the value back with Get, which read-locks the
// binding: RLock waits for the write lock its own goroutine holds. The
// listeners are kept in a sync.Map and reached through an interface in
// Range's callback, so no instance key links the listener to the
// binding; the store of the binding into the listener's field, and the
// listener handed to that binding, do. Fix: notify after unlocking.
type watcher interface {
	Changed()
}

type binding struct {
	mu       sync.RWMutex
	val      int
	watchers sync.Map // watcher -> struct{}
}

func (b *binding) watch(w watcher) { b.watchers.Store(w, struct{}{}) }

func (b *binding) notify() {
	b.watchers.Range(func(k, _ any) bool {
		k.(watcher).Changed()
		return true
	})
}

func (b *binding) Get() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.val
}

func (b *binding) Set(v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.val = v
	b.notify() // want `l.src.mu is read-locked inside b.notify .* while this goroutine holds b.mu .*, by lock class dev.binding.mu: the object is reached back through its field src, which the package sets to a binding .* that it is then handed to`
}

type label struct {
	src  *binding
	text int
}

func (l *label) Changed() { l.text = l.src.Get() }

// Show keeps a label showing b.
func Show(b *binding) *label {
	l := &label{src: b}
	b.watch(l)
	return l
}

// setBinding is the variant: the listeners, of two types, are the keys of
// a map set ranged over under the lock, and the echo is registered with
// the binding it points to.
type setListener interface {
	Refresh()
}

type setBinding struct {
	mu        sync.Mutex
	val       string
	listeners map[setListener]bool
}

func (b *setBinding) Value() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.val
}

func (b *setBinding) Put(v string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.val = v
	for l := range b.listeners {
		l.Refresh() // want `e.b.mu is locked inside .*Refresh .* while this goroutine holds b.mu .*, by lock class dev.setBinding.mu: the object is reached back through its field b, which the package sets to a setBinding`
	}
}

type echo struct {
	b    *setBinding
	last string
}

func (e *echo) Refresh() { e.last = e.b.Value() }

func newEcho(b *setBinding) *echo {
	e := &echo{}
	e.b = b
	b.mu.Lock()
	b.listeners[e] = true
	b.mu.Unlock()
	return e
}

// hitCount is another listener, which locks nothing: the loop runs every
// listener registered, so the echo's lock still counts at the call.
type hitCount struct{ n int }

func (t *hitCount) Refresh() { t.n++ }

func addHitCount(b *setBinding) {
	b.mu.Lock()
	b.listeners[&hitCount{}] = true
	b.mu.Unlock()
}

// fixedBinding is the fix: the listeners run after the lock is released.
type fixedBinding struct {
	mu    sync.RWMutex
	val   int
	views sync.Map // fixedView -> struct{}
}

type fixedView interface{ Redraw() }

func (b *fixedBinding) watch(w fixedView) { b.views.Store(w, struct{}{}) }

func (b *fixedBinding) Get() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.val
}

func (b *fixedBinding) Set(v int) {
	b.mu.Lock()
	b.val = v
	b.mu.Unlock()
	b.views.Range(func(k, _ any) bool {
		k.(fixedView).Redraw()
		return true
	})
}

type fixedLabel struct {
	model *fixedBinding
	text  int
}

func (l *fixedLabel) Redraw() { l.text = l.model.Get() }

// ShowFixed keeps a label showing b.
func ShowFixed(b *fixedBinding) *fixedLabel {
	l := &fixedLabel{model: b}
	b.watch(l)
	return l
}

// Upstream: scylladb/gocql#53
//
// The same class written differently: a pool, holding its lock, gives a
// new connection to its picker, which closes the connections in excess;
// a connection that fails to close reports to its error handler, an
// interface field the pool set to itself when it made the connection,
// and the pool's HandleError locks the pool again, five calls down. Fix:
// the picker returns the excess connections and the pool closes them
// after unlocking.
type errHandler interface {
	HandleError(c *poolConn)
}

type poolConn struct {
	mu      sync.Mutex
	closed  bool
	handler errHandler
}

func (c *poolConn) closeErr(failed bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	if failed {
		c.handler.HandleError(c)
	}
}

func (c *poolConn) Close() { c.closeErr(true) }

type picker struct {
	conns  []*poolConn
	excess []*poolConn
}

func (p *picker) put(c *poolConn) {
	if len(p.conns) < 4 {
		p.conns = append(p.conns, c)
		return
	}
	p.excess = append(p.excess, c)
	p.closeExcess()
}

func (p *picker) closeExcess() {
	for _, c := range p.excess {
		c.Close()
	}
	p.excess = nil
}

type connPool struct {
	mu     sync.Mutex
	picker *picker
}

func (pool *connPool) connect() {
	c := &poolConn{handler: pool}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	pool.picker.put(c) // want `c.handler.mu is locked inside pool.picker.put .* while this goroutine holds pool.mu .*, by lock class dev.connPool.mu: the object is reached back through its field handler, which the package sets to a connPool`
}

func (pool *connPool) HandleError(c *poolConn) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for i, x := range pool.picker.conns {
		if x == c {
			pool.picker.conns[i] = nil
		}
	}
}

// relay is the look-alike: a relay is added to one hub but points to
// another (its target), so a hub that ranges over its relays holding its
// lock locks another hub, not itself (an order between two hubs, not a
// double lock).
type relay struct {
	target *relayHub
}

func (r *relay) forward(msg string) { r.target.deliver(msg) }

type relayHub struct {
	mu     sync.Mutex
	relays []*relay
	inbox  []string
}

func (h *relayHub) add(r *relay) { h.relays = append(h.relays, r) }

func (h *relayHub) deliver(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inbox = append(h.inbox, msg)
}

func (h *relayHub) publish(msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.relays {
		r.forward(msg)
	}
}

// Bridge makes from forward what it publishes to to.
func Bridge(from, to *relayHub) {
	from.add(&relay{target: to})
}

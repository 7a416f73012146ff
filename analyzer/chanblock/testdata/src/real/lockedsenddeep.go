package real

import (
	"context"
	"sync"
)

// A send under a lock whose receiver reaches the same lock three calls
// below its loop: through the worker's handler, the component that sends
// on the receiver's behalf, and back into the sender's own lookup.

// Upstream: slackhq/nebula#1151 (GetOrHandshake kept the host map's read
// lock while starting a handshake, which queues a lighthouse query on a
// bounded channel; the query worker sends each query through the
// interface, which calls GetOrHandshake and its read lock, while a
// completing handshake queues for the write lock). Fix: release the read
// lock before starting the handshake. Reduced in our own words.
type peerTable struct {
	sync.RWMutex
	peers map[uint32]string
}

type prober struct {
	ctx   context.Context
	asks  chan uint32
	links *linker
}

type linker struct {
	table  *peerTable
	probes *prober
	out    func(string)
}

func newProber(ctx context.Context, depth int) *prober {
	return &prober{ctx: ctx, asks: make(chan uint32, depth)}
}

// Lookup returns the peer at addr, asking for it when it is unknown.
func (l *linker) Lookup(addr uint32) (string, bool) {
	l.table.RLock()
	if p, ok := l.table.peers[addr]; ok {
		l.table.RUnlock()
		return p, true
	}
	defer l.table.RUnlock()
	l.begin(addr) // want `this call sends \(line \d+\) on field asks holds mutex field RWMutex \(locked at line \d+\), and its receivers can lock RWMutex between two receives \(line \d+ \(a read lock waits once the write lock of line \d+ is queued\)\)`
	return "", false
}

func (l *linker) begin(addr uint32) { l.probes.ask(addr) }

func (p *prober) ask(addr uint32) { p.asks <- addr }

// Learn records a peer.
func (l *linker) Learn(addr uint32, peer string) {
	l.table.Lock()
	defer l.table.Unlock()
	l.table.peers[addr] = peer
}

func (p *prober) start() {
	go func() {
		for {
			select {
			case <-p.ctx.Done():
				return
			case a := <-p.asks:
				p.probe(a)
			}
		}
	}()
}

func (p *prober) probe(addr uint32) { p.links.send(addr, "probe") }

func (l *linker) send(addr uint32, msg string) {
	if peer, ok := l.Lookup(addr); ok {
		l.out(peer + msg)
	}
}

// The fix: the read lock is released before the query is queued.
type peerTableFixed struct {
	sync.RWMutex
	peers map[uint32]string
}

type proberFixed struct {
	ctx   context.Context
	asks  chan uint32
	links *linkerFixed
}

type linkerFixed struct {
	table  *peerTableFixed
	probes *proberFixed
	out    func(string)
}

func newProberFixed(ctx context.Context, depth int) *proberFixed {
	return &proberFixed{ctx: ctx, asks: make(chan uint32, depth)}
}

// Lookup returns the peer at addr, asking for it when it is unknown.
func (l *linkerFixed) Lookup(addr uint32) (string, bool) {
	l.table.RLock()
	p, ok := l.table.peers[addr]
	l.table.RUnlock()
	if ok {
		return p, true
	}
	l.begin(addr)
	return "", false
}

func (l *linkerFixed) begin(addr uint32) { l.probes.ask(addr) }

func (p *proberFixed) ask(addr uint32) { p.asks <- addr }

// Learn records a peer.
func (l *linkerFixed) Learn(addr uint32, peer string) {
	l.table.Lock()
	defer l.table.Unlock()
	l.table.peers[addr] = peer
}

func (p *proberFixed) start() {
	go func() {
		for {
			select {
			case <-p.ctx.Done():
				return
			case a := <-p.asks:
				p.probe(a)
			}
		}
	}()
}

func (p *proberFixed) probe(addr uint32) { p.links.send(addr, "probe") }

func (l *linkerFixed) send(addr uint32, msg string) {
	if peer, ok := l.Lookup(addr); ok {
		l.out(peer + msg)
	}
}

// Variant (ours): an unbuffered notification sent under the exclusive
// lock; the consumer's handler reaches the lock through a dispatcher and
// a lookup helper.
type routeBook struct {
	mu      sync.Mutex
	routes  map[string]int
	changes chan string
}

func newRouteBook() *routeBook {
	b := &routeBook{routes: map[string]int{}, changes: make(chan string)}
	go b.watch()
	return b
}

// Set changes a route and announces it.
func (b *routeBook) Set(name string, hop int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.routes[name] = hop
	b.changes <- name // want `this send on field changes holds mutex field mu`
}

func (b *routeBook) watch() {
	for name := range b.changes {
		b.handle(name)
	}
}

func (b *routeBook) handle(name string) { b.dispatch(name) }

func (b *routeBook) dispatch(name string) { _ = b.hop(name) }

func (b *routeBook) hop(name string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.routes[name]
}

// Variant (ours): the sender holds a read lock, and the consumer's chain
// takes the write lock itself.
type expiryTable struct {
	mu      sync.RWMutex
	leases  map[string]bool
	expired chan string
}

func newExpiryTable() *expiryTable {
	t := &expiryTable{leases: map[string]bool{}, expired: make(chan string)}
	go t.reap()
	return t
}

// Check reports a lease, announcing it when it has expired.
func (t *expiryTable) Check(name string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.leases[name] {
		t.expired <- name // want `this send on field expired holds mutex field mu`
	}
	return t.leases[name]
}

func (t *expiryTable) reap() {
	for {
		name := <-t.expired
		t.settle(name)
	}
}

func (t *expiryTable) settle(name string) { t.forget(name) }

func (t *expiryTable) forget(name string) { t.drop(name) }

func (t *expiryTable) drop(name string) {
	t.mu.Lock()
	delete(t.leases, name)
	t.mu.Unlock()
}

// Look-alike (ours): the consumer's chain three calls down locks another
// struct's mutex of the same type, never the sender's.
type auditTable struct {
	sync.Mutex
	n int
}

type auditFeed struct {
	sync.Mutex
	log    *auditTable
	events chan int
}

func newAuditFeed() *auditFeed {
	f := &auditFeed{log: &auditTable{}, events: make(chan int)}
	go f.drain()
	return f
}

// Emit announces an event.
func (f *auditFeed) Emit(v int) {
	f.Lock()
	defer f.Unlock()
	f.events <- v
}

func (f *auditFeed) drain() {
	for v := range f.events {
		f.note(v)
	}
}

func (f *auditFeed) note(v int) { f.tally(v) }

func (f *auditFeed) tally(v int) { f.log.add(v) }

func (a *auditTable) add(v int) {
	a.Lock()
	a.n += v
	a.Unlock()
}

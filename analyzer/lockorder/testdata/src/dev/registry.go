package dev

import "sync"

// Upstream: oxia-db/oxia#350
//
// A metrics registry keeps the gauges registered with it and, on every
// scrape, calls each gauge's callback under its own mutex. The shards
// director registered two gauges whose callbacks read-lock the director;
// while holding the director's write lock, a leader election created a
// leader controller, which registered a gauge of its own and so took the
// registry's mutex. A scrape and an election running together each held
// the lock the other needed. Several callbacks are registered in the
// field; the loop over the registry's gauges runs every one of them, so
// the locks of each count at the call. Fix: the director's gauges read
// atomic counters instead of taking its lock.
type gaugeEntry struct {
	name string
	read func() int64
}

type gaugeRegistry struct {
	mu      sync.Mutex
	entries []*gaugeEntry
}

func (r *gaugeRegistry) gauge(name string, read func() int64) *gaugeEntry {
	m := &gaugeEntry{name: name, read: read}
	r.mu.Lock()
	r.entries = append(r.entries, m)
	r.mu.Unlock()
	return m
}

func (r *gaugeRegistry) scrape() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int64{}
	for _, m := range r.entries {
		out[m.name] = m.read() // want `lock order inversion by lock class: scrape locks r.mu .* then d.RWMutex inside the function literal \(the callback passed to gauge .*while elect locks d.RWMutex .* then d.reg.mu`
	}
	return out
}

type shardLeader struct {
	term int64
}

func newShardLeader(reg *gaugeRegistry) *shardLeader {
	l := &shardLeader{}
	reg.gauge("leader_term", func() int64 { return l.term })
	return l
}

type director struct {
	sync.RWMutex
	leaders   map[int]*shardLeader
	followers map[int]bool
	reg       *gaugeRegistry
}

func newDirector(reg *gaugeRegistry) *director {
	d := &director{leaders: map[int]*shardLeader{}, followers: map[int]bool{}, reg: reg}
	reg.gauge("leaders", func() int64 {
		d.RLock()
		defer d.RUnlock()
		return int64(len(d.leaders))
	})
	reg.gauge("followers", func() int64 {
		d.RLock()
		defer d.RUnlock()
		return int64(len(d.followers))
	})
	return d
}

func (d *director) elect(shard int) *shardLeader {
	d.Lock()
	defer d.Unlock()
	if l, ok := d.leaders[shard]; ok {
		return l
	}
	delete(d.followers, shard)
	l := newShardLeader(d.reg)
	d.leaders[shard] = l
	return l
}

// The same bug written another way: subscribers kept in a map, a method
// value registered as the callback, the event published under a read
// lock, and the other order taken by an unsubscribe made while the
// subscriber's own lock is held. A no-op subscriber does not hide the
// others.
type busSub struct {
	id     int
	notify func(string)
}

type eventBus struct {
	mu   sync.RWMutex
	subs map[int]*busSub
	next int
}

func (b *eventBus) subscribe(fn func(string)) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	b.subs[b.next] = &busSub{id: b.next, notify: fn}
	return b.next
}

func (b *eventBus) unsubscribe(id int) {
	b.mu.Lock()
	delete(b.subs, id)
	b.mu.Unlock()
}

func (b *eventBus) publish(ev string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, s := range b.subs {
		s.notify(ev) // want `lock order inversion by lock class: publish locks b.mu .* then v.mu inside invalidate .*while reset locks v.mu .* then v.bus.mu`
	}
}

// publishCopy is the usual fix: the callbacks run after the read lock is
// released, on a copy of the subscribers.
func (b *eventBus) publishCopy(ev string) {
	b.mu.RLock()
	subs := make([]*busSub, 0, len(b.subs))
	for _, s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.RUnlock()
	for _, s := range subs {
		s.notify(ev)
	}
}

type cacheView struct {
	mu      sync.Mutex
	bus     *eventBus
	entries map[string]int
	subID   int
}

func (v *cacheView) invalidate(key string) {
	v.mu.Lock()
	delete(v.entries, key)
	v.mu.Unlock()
}

func newCacheView(bus *eventBus) *cacheView {
	v := &cacheView{bus: bus, entries: map[string]int{}}
	v.subID = bus.subscribe(v.invalidate)
	bus.subscribe(func(string) {})
	return v
}

func (v *cacheView) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.entries = map[string]int{}
	v.bus.unsubscribe(v.subID)
}

// A look-alike that must stay silent: hooks kept in a registry's slice
// and run under its lock, whose locks nothing holds while it registers
// or unregisters a hook.
type hookEntry struct{ run func() }

type hookSet struct {
	mu    sync.Mutex
	hooks []*hookEntry
}

func (h *hookSet) add(fn func()) {
	h.mu.Lock()
	h.hooks = append(h.hooks, &hookEntry{run: fn})
	h.mu.Unlock()
}

func (h *hookSet) fire() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.hooks {
		e.run()
	}
}

type flushCounter struct {
	mu sync.Mutex
	n  int
}

func (c *flushCounter) bump() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *flushCounter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func wireHooks(h *hookSet, a, b *flushCounter) {
	h.add(a.bump)
	h.add(b.bump)
	h.add(func() { _ = a.get() + b.get() })
}

// A fourth writing: the registry keeps listeners behind an interface of
// the package, with two implementations; the one that locks its own
// object re-registers itself while holding that lock.
type configListener interface {
	configChanged(version int)
}

type configStore struct {
	mu        sync.Mutex
	listeners []configListener
	version   int
}

func (s *configStore) watch(l configListener) {
	s.mu.Lock()
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
}

func (s *configStore) set(version int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = version
	for i := range s.listeners {
		s.listeners[i].configChanged(version) // want `lock order inversion by lock class: set locks s.mu .* then .*mu inside .*configChanged.*while rewatch locks r.mu .* then r.store.mu`
	}
}

type routeTable struct {
	mu      sync.Mutex
	store   *configStore
	version int
}

func (r *routeTable) configChanged(version int) {
	r.mu.Lock()
	r.version = version
	r.mu.Unlock()
}

func (r *routeTable) rewatch() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.store.watch(r)
}

type versionPrinter struct{}

func (versionPrinter) configChanged(version int) { println(version) }

// Its look-alike: one element picked by a constant index is not the
// registry's turn over all of them, and may be any implementation.
type alarm interface{ ring() }

type alarmBoard struct {
	mu     sync.Mutex
	alarms []alarm
}

func (b *alarmBoard) add(a alarm) {
	b.mu.Lock()
	b.alarms = append(b.alarms, a)
	b.mu.Unlock()
}

func (b *alarmBoard) ringFirst() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.alarms) > 0 {
		b.alarms[0].ring()
	}
}

type siren struct {
	mu    sync.Mutex
	board *alarmBoard
}

func (s *siren) ring() {
	s.mu.Lock()
	s.mu.Unlock()
}

func (s *siren) arm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.board.add(s)
}

type bell struct{}

func (bell) ring() {}

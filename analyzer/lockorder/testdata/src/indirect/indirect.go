// Package indirect tests locks taken through interfaces, stored callbacks,
// the standard library's callbacks and fmt's implicit String and Error
// calls (issue 14, item 2).
package indirect

import (
	"fmt"
	"log"
	"sort"
	"sync"
)

// --- fmt's implicit String ---

type Node struct {
	mu   sync.Mutex
	name string
}

func (n *Node) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.name
}

func (n *Node) Rename(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	log.Printf("renaming %v", n) // want `n.mu is locked again inside n.String \(line 21\) while this goroutine already holds it`
	n.name = name
}

// Fixed: the message is built before the lock is taken.
func (n *Node) RenameFixed(name string) {
	msg := fmt.Sprintf("renaming %v", n)
	n.mu.Lock()
	defer n.mu.Unlock()
	log.Print(msg)
	n.name = name
}

// Another node's String: another object.
func (n *Node) Link(o *Node) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return fmt.Sprint(o)
}

// A value that formats itself: fmt does not call String.
type Quiet struct{ Node }

func (q *Quiet) Format(f fmt.State, verb rune) { f.Write([]byte("q")) }

func (q *Quiet) Touch() {
	q.mu.Lock()
	defer q.mu.Unlock()
	fmt.Println(q) // ok: Format, not String
}

// Error is called for errors.
type opError struct {
	mu  sync.RWMutex
	msg string
}

func (e *opError) Error() string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.msg
}

func (e *opError) Wrap() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Errorf("op: %w", e) // want `e.mu is read-locked inside e.Error \(line 67\) while this goroutine holds its write lock`
}

// --- sync.Once.Do, sort.Slice ---

type Registry struct {
	mu    sync.Mutex
	once  sync.Once
	items []int
}

func (r *Registry) load() {
	r.mu.Lock()
	r.items = append(r.items, 1)
	r.mu.Unlock()
}

func (r *Registry) Init() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.once.Do(r.load) // want `r.mu is locked again inside r.load`
}

func (r *Registry) InitFixed() {
	r.once.Do(r.load)
	r.mu.Lock()
	defer r.mu.Unlock()
}

func (r *Registry) InitLiteral() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.once.Do(func() { // want `r.mu is locked again inside the function literal`
		r.mu.Lock()
		r.items = nil
		r.mu.Unlock()
	})
}

func (r *Registry) Sort() {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.items, func(i, j int) bool { // want `r.mu is locked again inside the function literal`
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.items[i] < r.items[j]
	})
}

func (r *Registry) SortFixed() {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.Slice(r.items, func(i, j int) bool { return r.items[i] < r.items[j] })
}

// --- interfaces declared here, implemented here ---

type Listener interface{ OnChange(v int) }

type Store struct {
	mu        sync.Mutex
	listeners []Listener
	v         int
}

type Cache struct {
	mu    sync.Mutex
	store *Store
	last  int
}

func (c *Cache) OnChange(v int) {
	c.mu.Lock()
	c.last = v
	c.mu.Unlock()
}

// Store.Set holds Store.mu while notifying the Cache (Store.mu -> Cache.mu);
// Cache.Refresh holds Cache.mu and reads the Store (Cache.mu -> Store.mu).
func (s *Store) Set(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v = v
	for _, l := range s.listeners {
		l.OnChange(v) // want `lock order inversion by lock class: Set locks s.mu \(line 155\) then c.mu inside s.listeners\[…\].OnChange \(line 147\)`
	}
}

func (c *Cache) Refresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store.mu.Lock()
	c.last = c.store.v
	c.store.mu.Unlock()
}

// --- a callback stored in a field ---

type Conn struct {
	mu      sync.Mutex
	onClose func()
	closed  bool
}

func NewConn() *Conn {
	c := &Conn{}
	c.onClose = func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
	}
	return c
}

func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onClose() // want `c.mu is locked again inside the function literal`
}

// Fixed: the callback runs after the lock is released.
func (c *Conn) CloseFixed() {
	c.mu.Lock()
	cb := c.onClose
	c.mu.Unlock()
	cb()
}

// A callback field that callers outside the package may set: unknown in
// general, but the package's own NewHooks stores a function bound to the
// very object, so NewHooks().Tick() locks h.mu twice (selfcb.go).
type Hooks struct {
	mu     sync.Mutex
	OnTick func()
}

func (h *Hooks) Tick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.OnTick() // want `h.mu is locked again inside the function literal`
}

// An exported callback field the package sets only to functions of other
// objects: unknown.
type Hooks2 struct {
	mu     sync.Mutex
	OnTick func()
}

func (h *Hooks2) Tick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.OnTick() // ok: not resolved
}

func NewHooks2(other *Hooks) *Hooks2 {
	h := &Hooks2{}
	h.OnTick = func() { other.mu.Lock(); other.mu.Unlock() }
	return h
}

func NewHooks() *Hooks {
	h := &Hooks{}
	h.OnTick = func() { h.mu.Lock(); h.mu.Unlock() }
	return h
}

// --- a waker in a loop that locks: only for a channel that outlives the
// loop (sync's TestCondSignalStealing makes a new one each iteration) ---

func freshChannelEachIteration() {
	for i := 0; i < 3; i++ {
		var m sync.Mutex
		ch := make(chan struct{})
		go func() {
			m.Lock()
			ch <- struct{}{} // ok: the receiver's next Lock is for this iteration's m, after the receive
			m.Unlock()
		}()
		<-ch
		m.Lock()
		m.Unlock()
	}
}

// A loop that locks before its own Add owes no Done while it waits for the
// lock (nats-server's stream monitor test): no report.
type monitor struct {
	mu sync.Mutex
	wg sync.WaitGroup
}

func (m *monitor) start() {
	m.mu.Lock()
	m.wg.Add(1)
	m.mu.Unlock()
}

func (m *monitor) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wg.Wait() // ok
}

func (m *monitor) churn(done chan struct{}) {
	for {
		select {
		case <-done:
			return
		default:
		}
		m.start()
		m.wg.Done()
	}
}

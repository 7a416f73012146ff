package stuckharness

import (
	"sync"
	"time"
)

// Locks and WaitGroups that are fields of the harness's object: one
// instance in the harness, modelled like a local one. (The lockedsend
// pattern rule reports these sends too, first, in its own words: the
// checker finds each by itself, ASYNCGO_CENSUS=all shows its witnesses.)

// agg's Write sends the update while holding mu; the loop's timer case
// takes mu before it can receive again: when the timer wins, each waits
// for the other.
type agg struct {
	mu     sync.Mutex
	update chan struct{}
	t      *time.Timer
	buf    []byte
}

func newAgg() *agg {
	a := &agg{update: make(chan struct{}), t: time.NewTimer(time.Second)}
	go func() {
		for {
			select {
			case <-a.update:
				a.t.Reset(time.Second)
			case <-a.t.C:
				a.mu.Lock()
				a.buf = a.buf[:0]
				a.mu.Unlock()
			}
		}
	}()
	return a
}

// Write appends p and restarts the timer.
func (a *agg) Write(p []byte) (int, error) {
	a.mu.Lock()
	a.buf = append(a.buf, p...)
	a.update <- struct{}{} // want `forever`
	a.mu.Unlock()
	return len(p), nil
}

// fixedAgg's Write unlocks before it sends.
type fixedAgg struct {
	mu     sync.Mutex
	update chan struct{}
	t      *time.Timer
	buf    []byte
}

func newFixedAgg() *fixedAgg {
	a := &fixedAgg{update: make(chan struct{}), t: time.NewTimer(time.Second)}
	go func() {
		for {
			select {
			case <-a.update:
				a.t.Reset(time.Second)
			case <-a.t.C:
				a.mu.Lock()
				a.buf = a.buf[:0]
				a.mu.Unlock()
			}
		}
	}()
	return a
}

// Write appends p and restarts the timer.
func (a *fixedAgg) Write(p []byte) (int, error) {
	a.mu.Lock()
	a.buf = append(a.buf, p...)
	a.mu.Unlock()
	a.update <- struct{}{}
	return len(p), nil
}

// Cache's Get asks the refresher under the read lock; the refresher's
// periodic case takes the write lock, which waits for that reader.
type Cache struct {
	mu   sync.RWMutex
	reqs chan string
	data map[string]string
}

// NewCache starts the refresher.
func NewCache() *Cache {
	c := &Cache{reqs: make(chan string), data: map[string]string{}}
	go c.refresh()
	return c
}

func (c *Cache) refresh() {
	for {
		select {
		case k := <-c.reqs:
			_ = k
		case <-time.After(time.Minute):
			c.mu.Lock()
			c.data = map[string]string{}
			c.mu.Unlock()
		}
	}
}

// Get asks for k to be loaded.
func (c *Cache) Get(k string) {
	c.mu.RLock()
	c.reqs <- k // want `forever`
	c.mu.RUnlock()
}

// FixedCache's Get sends outside its read lock.
type FixedCache struct {
	mu   sync.RWMutex
	reqs chan string
	data map[string]string
}

// NewFixedCache starts the refresher.
func NewFixedCache() *FixedCache {
	c := &FixedCache{reqs: make(chan string), data: map[string]string{}}
	go c.refresh()
	return c
}

func (c *FixedCache) refresh() {
	for {
		select {
		case k := <-c.reqs:
			_ = k
		case <-time.After(time.Minute):
			c.mu.Lock()
			c.data = map[string]string{}
			c.mu.Unlock()
		}
	}
}

// Get asks for k to be loaded.
func (c *FixedCache) Get(k string) {
	c.mu.RLock()
	_, ok := c.data[k]
	c.mu.RUnlock()
	if !ok {
		c.reqs <- k
	}
}

// Registry's Notify holds mu (a deferred Unlock) across its send; the
// watcher's idle case takes mu.
type Registry struct {
	mu     sync.Mutex
	events chan string
	n      int
}

// NewRegistry starts the watcher.
func NewRegistry() *Registry {
	r := &Registry{events: make(chan string)}
	go r.watch()
	return r
}

func (r *Registry) watch() {
	for {
		select {
		case e := <-r.events:
			_ = e
		case <-time.After(time.Second):
			r.mu.Lock()
			r.n++
			r.mu.Unlock()
		}
	}
}

// Notify records and forwards e.
func (r *Registry) Notify(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.events <- e // want `forever`
}

// LateLockRegistry's watcher takes mu only after it has received, but
// two Notify calls at once deadlock: the second takes mu between the
// first's Unlock and the watcher's Lock, and sends while the watcher
// waits for mu.
type LateLockRegistry struct {
	mu     sync.Mutex
	events chan string
	n      int
}

// NewLateLockRegistry starts the watcher.
func NewLateLockRegistry() *LateLockRegistry {
	r := &LateLockRegistry{events: make(chan string)}
	go r.watch()
	return r
}

func (r *LateLockRegistry) watch() {
	for {
		select {
		case e := <-r.events:
			r.mu.Lock()
			r.n += len(e)
			r.mu.Unlock()
		case <-time.After(time.Second):
		}
	}
}

// Notify records and forwards e.
func (r *LateLockRegistry) Notify(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.events <- e // want `forever`
}

// PlainRegistry's watcher never takes mu: Notify holding it across the
// send makes no cycle.
type PlainRegistry struct {
	mu     sync.Mutex
	events chan string
	n      int
}

// NewPlainRegistry starts the watcher.
func NewPlainRegistry() *PlainRegistry {
	r := &PlainRegistry{events: make(chan string)}
	go r.watch()
	return r
}

func (r *PlainRegistry) watch() {
	for {
		select {
		case e := <-r.events:
			_ = e
		case <-time.After(time.Second):
		}
	}
}

// Notify records and forwards e.
func (r *PlainRegistry) Notify(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.events <- e
}

// HelperRegistry's watcher takes mu in a helper that does not touch the
// channel: the field is not followed (its lock would run outside the
// model), and nothing is reported by the harness.
type HelperRegistry struct {
	mu     sync.Mutex
	events chan string
	n      int
}

// NewHelperRegistry starts the watcher.
func NewHelperRegistry() *HelperRegistry {
	r := &HelperRegistry{events: make(chan string)}
	go r.watch()
	return r
}

func (r *HelperRegistry) watch() {
	for {
		select {
		case e := <-r.events:
			_ = e
		case <-time.After(time.Second):
			r.bump()
		}
	}
}

func (r *HelperRegistry) bump() {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
}

// Notify forwards e.
func (r *HelperRegistry) Notify(e string) {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	r.events <- e
}

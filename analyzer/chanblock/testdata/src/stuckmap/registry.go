// Package stuckmap holds channels kept as elements of a map in a private
// field (s.waiters[id] = ch): registered by one call, looked up by
// another, deleted, closed. The interleaving checker follows the element
// stored by the owner's make (chanuse.WideMaps) and knows whether it is
// in the map at each lookup. Each leak sits beside a fixed twin; the
// look-alikes (a dispatcher finding the channel by its key, a close-all
// on shutdown, a lookup whose miss returns) stay silent.
package stuckmap

import (
	"errors"
	"sync"
)

type fetcher interface {
	Fetch(key string) (string, error)
}

var errMissing = errors.New("missing")

// Loader loads each key once; a second Load of a key in flight waits for
// the first. The first returns early when the fetch fails, leaving its
// channel registered and open: the waiter never wakes. (The registry
// pattern rule reports it first; the checker finds the same receive.)
type Loader struct {
	mu      sync.Mutex
	loading map[string]chan struct{}
	src     fetcher
	vals    map[string]string
}

// Load loads key.
func (l *Loader) Load(key string) {
	l.mu.Lock()
	if busy, ok := l.loading[key]; ok {
		l.mu.Unlock()
		<-busy // want `every waiter that found it blocks forever`
		return
	}
	ch := make(chan struct{})
	l.loading[key] = ch
	l.mu.Unlock()

	v, err := l.src.Fetch(key)
	if err != nil {
		return
	}
	l.mu.Lock()
	l.vals[key] = v
	delete(l.loading, key)
	l.mu.Unlock()
	close(ch)
}

// FixedLoader closes the channel on every path.
type FixedLoader struct {
	mu      sync.Mutex
	loading map[string]chan struct{}
	src     fetcher
	vals    map[string]string
}

// Load loads key.
func (l *FixedLoader) Load(key string) {
	l.mu.Lock()
	if busy, ok := l.loading[key]; ok {
		l.mu.Unlock()
		<-busy
		return
	}
	ch := make(chan struct{})
	l.loading[key] = ch
	l.mu.Unlock()
	defer close(ch)

	v, err := l.src.Fetch(key)
	if err != nil {
		return
	}
	l.mu.Lock()
	l.vals[key] = v
	delete(l.loading, key)
	l.mu.Unlock()
}

// Jobs runs jobs by id; Wait waits for one. The job's goroutine removes
// the entry before it looks it up to close it: it never finds it, and a
// waiter that found the entry first waits forever.
type Jobs struct {
	mu   sync.Mutex
	done map[int]chan struct{}
}

// Start starts job id.
func (j *Jobs) Start(id int) {
	ch := make(chan struct{})
	j.mu.Lock()
	j.done[id] = ch
	j.mu.Unlock()
	go j.run(id)
}

func (j *Jobs) run(id int) {
	work()
	j.mu.Lock()
	delete(j.done, id)
	ch, ok := j.done[id]
	j.mu.Unlock()
	if ok {
		close(ch)
	}
}

// Wait waits for job id.
func (j *Jobs) Wait(id int) {
	j.mu.Lock()
	ch, ok := j.done[id]
	j.mu.Unlock()
	if !ok {
		return
	}
	<-ch // want `this receive can block forever`
}

// FixedJobs looks the entry up before removing it.
type FixedJobs struct {
	mu   sync.Mutex
	done map[int]chan struct{}
}

// Start starts job id.
func (j *FixedJobs) Start(id int) {
	ch := make(chan struct{})
	j.mu.Lock()
	j.done[id] = ch
	j.mu.Unlock()
	go j.run(id)
}

func (j *FixedJobs) run(id int) {
	work()
	j.mu.Lock()
	ch, ok := j.done[id]
	delete(j.done, id)
	j.mu.Unlock()
	if ok {
		close(ch)
	}
}

// Wait waits for job id.
func (j *FixedJobs) Wait(id int) {
	j.mu.Lock()
	ch, ok := j.done[id]
	j.mu.Unlock()
	if !ok {
		return
	}
	<-ch
}

func work() {}

// Group runs fn once per key; a second Do for a key in flight waits. Its
// deferred cleanup removes the entry on every path, but the channel is
// closed only when fn succeeds: a waiter that found the entry before a
// failure waits forever. The registry pattern rule reports it. The
// checker does not: the receiver captured by the cleanup closure is not
// resolved to the object whose lock the model follows, and map steps under
// no followed lock run inside their goroutine's step (Flights below is the
// shape it finds).
type Group struct {
	mu     sync.Mutex
	flight map[string]chan struct{}
}

// Do runs fn for key, or waits for the run in flight.
func (g *Group) Do(key string, fn func() error) error {
	g.mu.Lock()
	if wait, ok := g.flight[key]; ok {
		g.mu.Unlock()
		<-wait // want `every waiter that found it blocks forever`
		return nil
	}
	ch := make(chan struct{})
	g.flight[key] = ch
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.flight, key)
		g.mu.Unlock()
	}()
	if err := fn(); err != nil {
		return err
	}
	close(ch)
	return nil
}

// Flights is Group with the close in a helper and the cleanup a deferred
// method: the close runs only after a successful fn.
type Flights struct {
	mu     sync.Mutex
	flight map[string]chan struct{}
}

// Do runs fn for key, or waits for the run in flight.
func (g *Flights) Do(key string, fn func() error) error {
	g.mu.Lock()
	wait, ok := g.flight[key]
	g.mu.Unlock()
	if ok {
		<-wait // want `this receive can block forever`
		return nil
	}
	ch := make(chan struct{})
	g.mu.Lock()
	g.flight[key] = ch
	g.mu.Unlock()
	defer g.forget(key)
	err := fn()
	if err != nil {
		return err
	}
	release(ch)
	return nil
}

func (g *Flights) forget(key string) {
	g.mu.Lock()
	delete(g.flight, key)
	g.mu.Unlock()
}

func release(ch chan struct{}) { close(ch) }

// FixedFlights releases the waiters on every path.
type FixedFlights struct {
	mu     sync.Mutex
	flight map[string]chan struct{}
}

// Do runs fn for key, or waits for the run in flight.
func (g *FixedFlights) Do(key string, fn func() error) error {
	g.mu.Lock()
	wait, ok := g.flight[key]
	g.mu.Unlock()
	if ok {
		<-wait
		return nil
	}
	ch := make(chan struct{})
	g.mu.Lock()
	g.flight[key] = ch
	g.mu.Unlock()
	defer release(ch)
	defer g.forget(key)
	return fn()
}

func (g *FixedFlights) forget(key string) {
	g.mu.Lock()
	delete(g.flight, key)
	g.mu.Unlock()
}

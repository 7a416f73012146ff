package dev

import "sync"

// Upstream: fluffle/goirc#102
//
// A handler set read-locks itself and starts one goroutine per handler
// of an event, waiting for them all before it unlocks. A handler that
// removes itself write-locks the set: the Remover it calls is the set's
// list node, reached from the handler (a closure adapted to the handler
// interface) through a variable the closure captured. The goroutine
// runs each registered handler, so what every handler certainly locks
// is what the goroutines lock before they are done.
// Fix: the handlers are copied under the read lock and run without it.
type fHandler interface{ handle(msg string) }

type fHandlerFunc func(msg string)

func (f fHandlerFunc) handle(msg string) { f(msg) }

type fRemover interface{ remove() }

type fNode struct {
	set *fSet
	ev  string
	h   fHandler
}

func (n *fNode) remove() { n.set.drop(n) }

type fSet struct {
	sync.RWMutex
	byEvent map[string][]*fNode
}

func (s *fSet) add(ev string, h fHandler) fRemover {
	s.Lock()
	defer s.Unlock()
	n := &fNode{set: s, ev: ev, h: h}
	s.byEvent[ev] = append(s.byEvent[ev], n)
	return n
}

func (s *fSet) drop(n *fNode) {
	s.Lock()
	defer s.Unlock()
	delete(s.byEvent, n.ev)
}

func (s *fSet) once(ev string) {
	var r fRemover
	r = s.add(ev, fHandlerFunc(func(msg string) {
		r.remove()
	}))
}

func (s *fSet) dispatch(ev, msg string) {
	s.RLock()
	defer s.RUnlock()
	var wg sync.WaitGroup
	for _, n := range s.byEvent[ev] {
		wg.Add(1)
		go func(n *fNode) {
			n.h.handle(msg)
			wg.Done()
		}(n)
	}
	wg.Wait() // want `waits on wg while holding s.RWMutex .*a function literal in dispatch, which calls Done .*first locks r.set.RWMutex`
}

// The fix.
func (s *fSet) dispatchFixed(ev, msg string) {
	s.RLock()
	nodes := append([]*fNode(nil), s.byEvent[ev]...)
	s.RUnlock()
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func(n *fNode) {
			n.h.handle(msg)
			wg.Done()
		}(n)
	}
	wg.Wait()
}

// A variant: plain callbacks in a slice field, the goroutine literal
// calling the element its maker ranges over, done reported on a channel.
type fBus struct {
	mu   sync.RWMutex
	subs []func(string)
}

func (b *fBus) subscribe(f func(string)) {
	b.mu.Lock()
	b.subs = append(b.subs, f)
	b.mu.Unlock()
}

func (b *fBus) reset() {
	b.mu.Lock()
	b.subs = nil
	b.mu.Unlock()
}

func (b *fBus) init() {
	b.subscribe(func(m string) {
		if m == "reset" {
			b.reset()
		}
	})
}

func (b *fBus) publish(m string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var wg sync.WaitGroup
	for _, f := range b.subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(m)
		}()
	}
	wg.Wait() // want `waits on wg while holding b.mu .*a function literal in publish, which calls Done .*first locks b.mu`
}

// A look-alike: the callbacks of this bus only count; its fan-out under
// the read lock is slow but cannot deadlock.
type fCounter struct {
	mu   sync.RWMutex
	subs []func(string)
	n    int
}

func (c *fCounter) subscribe(f func(string)) {
	c.mu.Lock()
	c.subs = append(c.subs, f)
	c.mu.Unlock()
}

func (c *fCounter) init(hits *int) {
	c.subscribe(func(string) { *hits++ })
}

func (c *fCounter) publish(m string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var wg sync.WaitGroup
	for _, f := range c.subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(m)
		}()
	}
	wg.Wait()
}

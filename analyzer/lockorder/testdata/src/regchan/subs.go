package regchan

import "sync"

// C: subscribers appended to a slice field by a helper that makes and
// returns the channel; the publisher ranges over the slice with the lock
// held and the subscriber's loop relocks per message.

type hub struct {
	mu   sync.Mutex
	subs []chan int
	last int
}

func (h *hub) subscribe() chan int {
	ch := make(chan int)
	h.mu.Lock()
	h.subs = append(h.subs, ch)
	h.mu.Unlock()
	return ch
}

func (h *hub) publish(v int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = v
	for _, ch := range h.subs {
		ch <- v // want `sends on unbuffered h.subs\[…\] while holding h.mu .*but follow, which receives from it`
	}
}

// Follow records each published value under the hub's lock.
func (h *hub) follow(seen *[]int) {
	ch := h.subscribe()
	for v := range ch {
		h.mu.Lock()
		*seen = append(*seen, v+h.last)
		h.mu.Unlock()
	}
}

// C fixed: the publisher copies the subscribers under the lock and sends
// after releasing it.

type copyHub struct {
	mu   sync.Mutex
	subs []chan int
	last int
}

func (h *copyHub) subscribe() chan int {
	ch := make(chan int)
	h.mu.Lock()
	h.subs = append(h.subs, ch)
	h.mu.Unlock()
	return ch
}

func (h *copyHub) publish(v int) {
	h.mu.Lock()
	h.last = v
	subs := append([]chan int(nil), h.subs...)
	h.mu.Unlock()
	for _, ch := range subs {
		ch <- v
	}
}

func (h *copyHub) follow(seen *[]int) {
	ch := h.subscribe()
	for v := range ch {
		h.mu.Lock()
		*seen = append(*seen, v+h.last)
		h.mu.Unlock()
	}
}

// Look-alikes that stay silent.

// D: a registry that also keeps channels it was given (their buffer is
// unknown): the send may not wait.

type given struct {
	mu   sync.Mutex
	subs map[string]chan int
}

func (g *given) add(name string, ch chan int) {
	g.mu.Lock()
	g.subs[name] = ch
	g.mu.Unlock()
}

func (g *given) wait(name string) int {
	ch := make(chan int)
	g.mu.Lock()
	g.subs[name] = ch
	g.mu.Unlock()
	return <-ch
}

func (g *given) notify(v int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, ch := range g.subs {
		ch <- v
	}
}

// E: the subscriber registers under another lock than the one the
// publisher holds: it never waits for the publisher's lock.

type split struct {
	regMu sync.Mutex
	pubMu sync.Mutex
	subs  map[int]chan int
}

func (s *split) register(id int) int {
	ch := make(chan int)
	s.regMu.Lock()
	s.subs[id] = ch
	s.regMu.Unlock()
	return <-ch
}

func (s *split) deliver(id, v int) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	s.regMu.Lock()
	ch := s.subs[id]
	s.regMu.Unlock()
	ch <- v
}

// F: the publisher never blocks (a select with a default drops the
// message for a subscriber that is not ready).

type dropper struct {
	mu   sync.Mutex
	subs []chan int
}

func (d *dropper) subscribe() {
	ch := make(chan int)
	d.mu.Lock()
	d.subs = append(d.subs, ch)
	d.mu.Unlock()
	for range ch {
	}
}

func (d *dropper) publish(v int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ch := range d.subs {
		select {
		case ch <- v:
		default:
		}
	}
}

package real

import (
	"sync"
	"time"
)

// A send made holding a read lock, received by a loop that takes the read
// lock of the same RWMutex between receives, while some other method takes
// the write lock: a writer queued behind the sender's read lock makes the
// receiver's read lock wait, so sender, writer and receiver wait on each
// other.

// Upstream: nspcc-dev/neo-go#741 (peer discovery asked its run loop for
// more peers over an unbuffered channel while holding its RWMutex for
// reading; the run loop read-locks it when its dial timer fires, and
// marking an address bad write-locks it). Fix: do not hold the lock across
// the send. Reduced in our own words.
type peerFinder struct {
	mu      sync.RWMutex
	known   map[string]bool
	bad     map[string]bool
	wantCh  chan int
	candCh  chan string
	timeout time.Duration
}

func newPeerFinder() *peerFinder {
	p := &peerFinder{known: map[string]bool{}, bad: map[string]bool{}, wantCh: make(chan int), candCh: make(chan string, 8)}
	go p.loop()
	return p
}

func (p *peerFinder) askFor(n int) {
	p.mu.RLock()
	if len(p.known) > 0 {
		p.wantCh <- n // want `this send on field wantCh holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives \(line \d+ \(a read lock waits once the write lock of line \d+ is queued\)\)`
	}
	p.mu.RUnlock()
}

func (p *peerFinder) askForFixed(n int) {
	p.mu.RLock()
	any := len(p.known) > 0
	p.mu.RUnlock()
	if any {
		p.wantCh <- n
	}
}

func (p *peerFinder) markBad(addr string) {
	p.mu.Lock()
	p.bad[addr] = true
	delete(p.known, addr)
	p.mu.Unlock()
}

func (p *peerFinder) loop() {
	for n := range p.wantCh {
		for ; n > 0; n-- {
			select {
			case a := <-p.candCh:
				_ = a
			case <-time.After(p.timeout):
				p.mu.RLock()
				for a := range p.known {
					if !p.bad[a] {
						break
					}
				}
				p.mu.RUnlock()
			}
		}
	}
}

// A variant written differently (ours): the read lock is released by a
// deferred RUnlock, the receiver is an endless select loop that reads the
// shared state through a helper, and the writer is a setter.
type configHub struct {
	lock    sync.RWMutex
	values  map[string]string
	changes chan string
	quit    chan struct{}
}

func newConfigHub() *configHub {
	h := &configHub{values: map[string]string{}, changes: make(chan string), quit: make(chan struct{})}
	go h.watch()
	return h
}

func (h *configHub) announce(key string) {
	h.lock.RLock()
	defer h.lock.RUnlock()
	if _, ok := h.values[key]; !ok {
		return
	}
	h.changes <- key // want `this send on field changes holds mutex field lock .*a read lock waits once the write lock`
}

func (h *configHub) set(key, v string) {
	h.lock.Lock()
	defer h.lock.Unlock()
	h.values[key] = v
}

func (h *configHub) lookup(key string) string {
	h.lock.RLock()
	defer h.lock.RUnlock()
	return h.values[key]
}

func (h *configHub) watch() {
	for {
		select {
		case key := <-h.changes:
			_ = h.lookup(key)
		case <-h.quit:
			return
		}
	}
}

// Look-alike negative (ours): the receiver takes the read lock only once
// its loop is over, never between two receives.
type tallyHub struct {
	mu     sync.RWMutex
	counts map[string]int
	events chan string
	final  map[string]int
}

func newTallyHub() *tallyHub {
	t := &tallyHub{counts: map[string]int{}, events: make(chan string)}
	go t.drain()
	return t
}

func (t *tallyHub) emit(name string) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.counts[name] >= 0 {
		t.events <- name
	}
}

func (t *tallyHub) bump(name string) {
	t.mu.Lock()
	t.counts[name]++
	t.mu.Unlock()
}

func (t *tallyHub) stop() { close(t.events) }

func (t *tallyHub) drain() {
	seen := map[string]int{}
	for name := range t.events {
		seen[name]++
	}
	t.mu.RLock()
	t.final = seen
	t.mu.RUnlock()
}

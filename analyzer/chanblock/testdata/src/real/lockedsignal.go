package real

import "sync"

// A send on a small constant buffer, not in a loop, made while holding a
// mutex that the consumer locks between two receives: when the method
// that sends can run many times (callers call an exported method again)
// and the consumer keeps receiving after each value, repeated calls fill
// the buffer and the next sender waits with the mutex held.

// Upstream: keybase/kbfs#77 (the dirty-block cache signalled its
// permission goroutine on a one-slot channel from two exported update
// methods while holding its lock; the goroutine locks it to check the
// byte counts before it comes back to the channel). Fix: a non-blocking
// send, since a full slot already means a wake-up is pending. Reduced in
// our own words.
type byteGate struct {
	mu      sync.Mutex
	used    int64
	limit   int64
	freed   chan struct{}
	asks    chan chan struct{}
	stopped chan struct{}
}

func newByteGate(limit int64) *byteGate {
	g := &byteGate{limit: limit, freed: make(chan struct{}, 1), asks: make(chan chan struct{}, 16), stopped: make(chan struct{})}
	go g.admit()
	return g
}

func (g *byteGate) fits() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.used < g.limit
}

func (g *byteGate) admit() {
	var queued []chan struct{}
	for {
		select {
		case <-g.freed:
		case a := <-g.asks:
			queued = append(queued, a)
		case <-g.stopped:
			return
		}
		for len(queued) > 0 && g.fits() {
			close(queued[0])
			queued = queued[1:]
		}
	}
}

func (g *byteGate) wake() {
	g.freed <- struct{}{}
}

// Release returns bytes to the gate.
func (g *byteGate) Release(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used -= n
	g.wake() // want `this call sends \(line \d+\) on field freed holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
}

// Shrink lowers the limit.
func (g *byteGate) Shrink(n int64) {
	g.mu.Lock()
	g.limit -= n
	g.wake() // the same send, reported once at Release
	g.mu.Unlock()
}

// The fix: the wake-up never blocks.
type byteGateFixed struct {
	mu    sync.Mutex
	used  int64
	freed chan struct{}
}

func newByteGateFixed() *byteGateFixed {
	g := &byteGateFixed{freed: make(chan struct{}, 1)}
	go g.admit()
	return g
}

func (g *byteGateFixed) admit() {
	for {
		<-g.freed
		g.mu.Lock()
		g.used++
		g.mu.Unlock()
	}
}

// Release returns bytes to the gate.
func (g *byteGateFixed) Release(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used -= n
	select {
	case g.freed <- struct{}{}:
	default:
	}
}

// Variant (ours): the exported method sends itself on a buffer of four,
// and the consumer receives plainly.
type auditLog struct {
	mu     sync.Mutex
	events chan string
	lines  []string
}

func newAuditLog() *auditLog {
	l := &auditLog{events: make(chan string, 4)}
	go l.write()
	return l
}

// Record queues an event.
func (l *auditLog) Record(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events <- e // want `this send on field events holds mutex field mu`
}

func (l *auditLog) write() {
	for {
		e := <-l.events
		l.mu.Lock()
		l.lines = append(l.lines, e)
		l.mu.Unlock()
	}
}

// Variant (ours): the lock holder is a private method that the exported
// Push calls; the consumer's lock is a read lock and the package also
// write-locks the mutex.
type nudger struct {
	mu    sync.RWMutex
	items []int
	nudge chan int
	quit  chan struct{}
}

func newNudger() *nudger {
	n := &nudger{nudge: make(chan int, 2), quit: make(chan struct{})}
	go n.loop()
	return n
}

// Push adds an item.
func (n *nudger) Push(v int) { n.push(v) }

func (n *nudger) push(v int) {
	n.mu.Lock()
	n.items = append(n.items, v)
	n.nudge <- v // want `this send on field nudge holds mutex field mu`
	n.mu.Unlock()
}

func (n *nudger) loop() {
	for {
		select {
		case <-n.nudge:
			n.mu.RLock()
			_ = len(n.items)
			n.mu.RUnlock()
		case <-n.quit:
			return
		}
	}
}

// Look-alike (ours): an exported Stop sends the one stop value its
// receiver returns on; the buffer of one always has room for it.
type stopOnce struct {
	mu   sync.Mutex
	n    int
	stop chan struct{}
}

func newStopOnce() *stopOnce {
	s := &stopOnce{stop: make(chan struct{}, 1)}
	go s.run()
	return s
}

// Stop ends the goroutine.
func (s *stopOnce) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop <- struct{}{}
}

func (s *stopOnce) run() {
	for {
		select {
		case <-s.stop:
			return
		default:
			s.mu.Lock()
			s.n++
			s.mu.Unlock()
		}
	}
}

// Look-alike (ours): the coalescing notify. The wake-up sends only after
// finding the slot empty, and every caller holds the lock across the test
// and the send, so no other sender can fill the slot in between: the send
// never waits.
type byteGateNotify struct {
	mu    sync.Mutex
	used  int64
	freed chan struct{}
}

func newByteGateNotify() *byteGateNotify {
	g := &byteGateNotify{freed: make(chan struct{}, 1)}
	go g.admit()
	return g
}

func (g *byteGateNotify) admit() {
	for {
		<-g.freed
		g.mu.Lock()
		g.used++
		g.mu.Unlock()
	}
}

func (g *byteGateNotify) wake() {
	if len(g.freed) == 0 {
		g.freed <- struct{}{}
	}
}

// Release returns bytes to the gate.
func (g *byteGateNotify) Release(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used -= n
	g.wake()
}

// Grow takes bytes.
func (g *byteGateNotify) Grow(n int64) {
	g.mu.Lock()
	g.used += n
	g.wake()
	g.mu.Unlock()
}

// The same test, but one caller does not hold the lock: another sender
// can fill the slot between Release's test and its send, which then waits
// with the lock held.
type byteGateRaced struct {
	mu    sync.Mutex
	used  int64
	freed chan struct{}
}

func newByteGateRaced() *byteGateRaced {
	g := &byteGateRaced{freed: make(chan struct{}, 1)}
	go g.admit()
	return g
}

func (g *byteGateRaced) admit() {
	for {
		<-g.freed
		g.mu.Lock()
		g.used++
		g.mu.Unlock()
	}
}

func (g *byteGateRaced) wake() {
	if len(g.freed) == 0 {
		g.freed <- struct{}{}
	}
}

// Release returns bytes to the gate.
func (g *byteGateRaced) Release(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used -= n
	g.wake() // want `this call sends \(line \d+\) on field freed holds mutex field mu`
}

// Poke wakes the gate without the lock.
func (g *byteGateRaced) Poke() {
	g.wake()
}

package real

import (
	"sync"
	"time"
)

// A goroutine that sends, in its loop, on channels kept in its struct
// while holding a mutex, and whose stop signal is only given holding that
// mutex: a consumer that stops draining leaves the sender blocked with the
// mutex held, and the stopper can never take it to signal.

// Upstream: goadesign/pulse#77 (the stream reader delivered each event to
// every subscriber channel while holding the reader's lock; Close took the
// lock before closing the done channel, so one stalled subscriber made
// Close hang and leaked the reader). Fix: signal before locking, and give
// up on the send when done closes. Reduced in our own words.
type fanReader struct {
	lock   sync.Mutex
	subs   []chan string
	closed bool
	done   chan struct{}
	fetch  func() []string
}

func newFanReader(fetch func() []string) *fanReader {
	r := &fanReader{done: make(chan struct{}), fetch: fetch}
	go r.loop()
	return r
}

func (r *fanReader) Subscribe() <-chan string {
	c := make(chan string, 8)
	r.lock.Lock()
	r.subs = append(r.subs, c)
	r.lock.Unlock()
	return c
}

func (r *fanReader) loop() {
	for {
		select {
		case <-r.done:
			return
		default:
		}
		msgs := r.fetch()
		r.lock.Lock()
		for _, m := range msgs {
			for _, c := range r.subs {
				c <- m // want `this send holds mutex field lock \(locked at line \d+\), and the goroutine's stop signal \(field done\) is only given holding lock \(line \d+\)`
			}
		}
		r.lock.Unlock()
	}
}

func (r *fanReader) Close() {
	r.lock.Lock()
	defer r.lock.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	close(r.done)
}

// The fixed look-alike: the delivery gives up when done closes, and Close
// signals before it locks.
type fanReaderFixed struct {
	lock sync.Mutex
	subs []chan string
	once sync.Once
	done chan struct{}
	next func() string
}

func newFanReaderFixed(next func() string) *fanReaderFixed {
	r := &fanReaderFixed{done: make(chan struct{}), next: next}
	go r.loop()
	return r
}

func (r *fanReaderFixed) loop() {
	for {
		m := r.next()
		r.lock.Lock()
		for _, c := range r.subs {
			select {
			case c <- m:
			case <-r.done:
				r.lock.Unlock()
				return
			}
		}
		r.lock.Unlock()
	}
}

func (r *fanReaderFixed) Close() {
	r.once.Do(func() { close(r.done) })
	r.lock.Lock()
	for _, c := range r.subs {
		close(c)
	}
	r.subs = nil
	r.lock.Unlock()
}

// A variant written differently (ours): subscribers in a map, the stop is a
// send on an unbuffered quit channel made with a deferred unlock, and the
// loop selects between the stop and its input.
type topicHub struct {
	mu   sync.Mutex
	subs map[int]chan []byte
	in   chan []byte
	quit chan struct{}
}

func newTopicHub() *topicHub {
	h := &topicHub{subs: map[int]chan []byte{}, in: make(chan []byte), quit: make(chan struct{})}
	go h.run()
	return h
}

func (h *topicHub) Publish(b []byte) { h.in <- b }

func (h *topicHub) Subscribe(id int) <-chan []byte {
	c := make(chan []byte, 1)
	h.mu.Lock()
	h.subs[id] = c
	h.mu.Unlock()
	return c
}

func (h *topicHub) run() {
	for {
		select {
		case <-h.quit:
			return
		case b := <-h.in:
			h.mu.Lock()
			for _, c := range h.subs {
				c <- b // want `this send holds mutex field mu .*stop signal \(field quit\)`
			}
			h.mu.Unlock()
		}
	}
}

func (h *topicHub) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	// This send is itself a locked send: run may be waiting for mu.
	h.quit <- struct{}{} // want `this send on field quit holds mutex field mu`
	h.subs = nil
}

// Another (ours): one output channel field, a ticker loop, and a stopper
// that only needs the read lock, which still waits for the sender's write
// lock.
type probe struct {
	mu      sync.RWMutex
	last    int
	out     chan int
	stopped chan struct{}
	read    func() int
}

func newProbe(read func() int) *probe {
	s := &probe{out: make(chan int), stopped: make(chan struct{}), read: read}
	go s.poll()
	return s
}

func (s *probe) Samples() <-chan int { return s.out }

func (s *probe) poll() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-s.stopped:
			return
		}
		s.mu.Lock()
		s.last = s.read()
		s.out <- s.last // want `this send holds mutex field mu .*stop signal \(field stopped\)`
		s.mu.Unlock()
	}
}

func (s *probe) Stop() {
	s.mu.RLock()
	close(s.stopped)
	s.mu.RUnlock()
}

// Look-alike negatives (ours): the stopper signals before it takes the
// mutex; and a stop signal that some path gives without the mutex.
type relay struct {
	mu    sync.Mutex
	subs  []chan int
	stop  chan struct{}
	count int
}

func newRelay() *relay {
	r := &relay{stop: make(chan struct{})}
	go r.pump()
	return r
}

func (r *relay) pump() {
	for i := 0; ; i++ {
		select {
		case <-r.stop:
			return
		case <-time.After(time.Millisecond):
		}
		r.mu.Lock()
		for _, c := range r.subs {
			c <- i
		}
		r.mu.Unlock()
	}
}

func (r *relay) Close() {
	close(r.stop)
	r.mu.Lock()
	r.subs = nil
	r.mu.Unlock()
}

type relay2 struct {
	mu   sync.Mutex
	subs []chan int
	stop chan struct{}
	gone bool
}

func newRelay2() *relay2 {
	r := &relay2{stop: make(chan struct{}, 1)}
	go r.pump()
	return r
}

func (r *relay2) pump() {
	for i := 0; ; i++ {
		select {
		case <-r.stop:
			return
		case <-time.After(time.Millisecond):
		}
		r.mu.Lock()
		for _, c := range r.subs {
			c <- i
		}
		r.mu.Unlock()
	}
}

func (r *relay2) Close() {
	r.mu.Lock()
	r.gone = true
	r.mu.Unlock()
	r.stop <- struct{}{}
}

func (r *relay2) Abort() {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.stop <- struct{}{}:
	default:
	}
}

// Look-alike negative (ours): the only consumer is the package's own loop,
// which drains the channel until the same stop signal, and no function
// hands the channel (or one of its element type) out: the sender cannot
// stay blocked while the stopper waits.
type beat struct{ n int }

type heart struct {
	mu    sync.Mutex
	n     int
	beats chan beat
	quit  chan struct{}
}

func newHeart() *heart {
	h := &heart{beats: make(chan beat), quit: make(chan struct{})}
	go h.pace()
	go h.count()
	return h
}

func (h *heart) pace() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-t.C:
		}
		h.mu.Lock()
		h.n++
		h.beats <- beat{h.n}
		h.mu.Unlock()
	}
}

func (h *heart) count() {
	total := 0
	for {
		select {
		case <-h.quit:
			return
		case b := <-h.beats:
			total += b.n
		}
	}
}

func (h *heart) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.quit)
}

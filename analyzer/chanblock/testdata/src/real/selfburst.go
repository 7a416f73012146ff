package real

import "io"

// An event loop that is the only receiver of a buffered channel and, with
// nobody else sending on it, sends on it itself inside an inner loop that
// takes nothing from it: one turn can put more values than the buffer
// holds, the loop blocks on its own send, and everything waiting on the
// loop blocks behind it.

// Upstream: ginuerzh/gost#9 (the debug server's loop wrote each message
// to every client and queued each client whose write failed on its own
// ten-slot closed channel; with enough dead clients it blocked on that
// send and every Print behind it). Fix: the debug server was removed.
// Reduced in our own words.
type burstMirror struct {
	peers   []io.Writer
	join    chan io.Writer
	dropped chan io.Writer
	lines   chan []byte
}

func newBurstMirror() *burstMirror {
	return &burstMirror{join: make(chan io.Writer), dropped: make(chan io.Writer, 10), lines: make(chan []byte, 64)}
}

func (m *burstMirror) start() { go m.serve() }

func (m *burstMirror) serve() {
	for {
		select {
		case w := <-m.join:
			m.peers = append(m.peers, w)
		case w := <-m.dropped:
			m.forget(w)
		case line := <-m.lines:
			for _, w := range m.peers {
				if _, err := w.Write(line); err != nil {
					m.dropped <- w // want `field dropped of burstMirror is received from only by serve, and this send runs in serve's own goroutine on the same object, inside a loop that takes nothing from it: one turn can send more than its buffer of 10 holds`
				}
			}
		}
	}
}

func (m *burstMirror) forget(w io.Writer) {
	for i, p := range m.peers {
		if p == w {
			m.peers = append(m.peers[:i], m.peers[i+1:]...)
			return
		}
	}
}

func (m *burstMirror) print(line []byte) { m.lines <- line }
func (m *burstMirror) add(w io.Writer)   { m.join <- w }

// The fix's spirit (ours): a failed peer is dropped at once.
type burstMirrorFixed struct {
	peers []io.Writer
	lines chan []byte
}

func newBurstMirrorFixed() *burstMirrorFixed {
	return &burstMirrorFixed{lines: make(chan []byte, 64)}
}

func (m *burstMirrorFixed) start()            { go m.serve() }
func (m *burstMirrorFixed) print(line []byte) { m.lines <- line }

func (m *burstMirrorFixed) serve() {
	for line := range m.lines {
		kept := m.peers[:0]
		for _, w := range m.peers {
			if _, err := w.Write(line); err == nil {
				kept = append(kept, w)
			}
		}
		m.peers = kept
	}
}

// Variant (ours): the retry is queued by a helper the loop calls once per
// task, in a loop over the task list.
type burstRetrier struct {
	tasks []func() error
	again chan int
	kick  chan struct{}
}

func newBurstRetrier() *burstRetrier {
	return &burstRetrier{again: make(chan int, 8), kick: make(chan struct{})}
}

func (r *burstRetrier) start() { go r.work() }

func (r *burstRetrier) work() {
	for {
		select {
		case i := <-r.again:
			_ = r.tasks[i]()
		case <-r.kick:
			for i := 0; i < len(r.tasks); i++ {
				r.try(i)
			}
		}
	}
}

func (r *burstRetrier) try(i int) {
	if err := r.tasks[i](); err != nil {
		r.again <- i // want `field again of burstRetrier is received from only by work, and this send runs in work's own goroutine on the same object \(called at line \d+\), inside a loop that takes nothing from it`
	}
}

func (r *burstRetrier) poke() { r.kick <- struct{}{} }

// Variant (ours): a goroutine literal runs the loop, which walks a linked
// list to its end.
type burstSub struct {
	next  *burstSub
	stale bool
}

type burstBoard struct {
	head    *burstSub
	posts   chan string
	expired chan *burstSub
}

func newBurstBoard() *burstBoard {
	b := &burstBoard{posts: make(chan string, 4), expired: make(chan *burstSub, 2)}
	go func() { b.run() }()
	return b
}

func (b *burstBoard) run() {
	for {
		select {
		case <-b.posts:
			for s := b.head; s != nil; s = s.next {
				if s.stale {
					b.expired <- s // want `field expired of burstBoard is received from only by run`
				}
			}
		case s := <-b.expired:
			s.stale = false
		}
	}
}

func (b *burstBoard) post(p string) { b.posts <- p }

// Look-alikes (ours) that must stay silent: one value put back per value
// taken; a send in a select with a default; a loop counted up to a
// constant within the buffer.
type burstRecycler struct {
	items chan int
	tick  chan struct{}
}

func newBurstRecycler() *burstRecycler {
	return &burstRecycler{items: make(chan int, 4), tick: make(chan struct{})}
}

func (r *burstRecycler) start() { go r.loop() }

func (r *burstRecycler) loop() {
	for {
		select {
		case x := <-r.items:
			if x > 0 {
				r.items <- x - 1
			}
		case <-r.tick:
		}
	}
}

func (r *burstRecycler) poke() { r.tick <- struct{}{} }

type burstMirrorTry struct {
	peers   []io.Writer
	dropped chan io.Writer
	lines   chan []byte
}

func newBurstMirrorTry() *burstMirrorTry {
	return &burstMirrorTry{dropped: make(chan io.Writer, 4), lines: make(chan []byte, 16)}
}

func (m *burstMirrorTry) start()            { go m.serve() }
func (m *burstMirrorTry) print(line []byte) { m.lines <- line }

func (m *burstMirrorTry) serve() {
	for {
		select {
		case <-m.dropped:
		case line := <-m.lines:
			for _, w := range m.peers {
				if _, err := w.Write(line); err != nil {
					select {
					case m.dropped <- w:
					default:
					}
				}
			}
		}
	}
}

type burstPairQueue struct {
	tasks []func() error
	retry chan int
	kick  chan struct{}
}

func newBurstPairQueue() *burstPairQueue {
	return &burstPairQueue{retry: make(chan int, 8), kick: make(chan struct{})}
}

func (q *burstPairQueue) start() { go q.work() }
func (q *burstPairQueue) poke()  { q.kick <- struct{}{} }

func (q *burstPairQueue) work() {
	for {
		select {
		case i := <-q.retry:
			_ = q.tasks[i]()
		case <-q.kick:
			for i := 0; i < 2; i++ {
				q.retry <- i
			}
		}
	}
}

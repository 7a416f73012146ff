package shapes

import (
	"errors"
	"sync"
)

// Waiters that test a one-way state before their wait loop but never in
// it: woken by the close, they find their condition unchanged and wait
// again.

var errRwClosed = errors.New("closed")

// (1) An error field; Write waits for room.

type rwPipe struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	max  int
	err  error
}

func newRwPipe(max int) *rwPipe {
	p := &rwPipe{max: max}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *rwPipe) Write(b byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	for len(p.buf) >= p.max {
		p.cond.Wait() // want `Wait on cond in Write can sleep for good: Write tests err before its wait loop, and Close sets it \(line \d+\) under the Cond's lock and wakes cond, but the loop never tests err again`
	}
	p.buf = append(p.buf, b)
	p.cond.Broadcast()
	return nil
}

func (p *rwPipe) Read() (byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && p.err == nil {
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, false
	}
	b := p.buf[0]
	p.buf = p.buf[1:]
	p.cond.Broadcast()
	return b, true
}

func (p *rwPipe) Close() {
	p.mu.Lock()
	p.err = errRwClosed
	p.cond.Broadcast()
	p.mu.Unlock()
}

// (1, fixed) The loop tests the error too.

type rwPipeFixed struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte
	max  int
	err  error
}

func newRwPipeFixed(max int) *rwPipeFixed {
	p := &rwPipeFixed{max: max}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *rwPipeFixed) Write(b byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	for len(p.buf) >= p.max && p.err == nil {
		p.cond.Wait()
	}
	if p.err != nil {
		return p.err
	}
	p.buf = append(p.buf, b)
	p.cond.Broadcast()
	return nil
}

func (p *rwPipeFixed) Read() (byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && p.err == nil {
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, false
	}
	b := p.buf[0]
	p.buf = p.buf[1:]
	p.cond.Broadcast()
	return b, true
}

func (p *rwPipeFixed) Close() {
	p.mu.Lock()
	p.err = errRwClosed
	p.cond.Broadcast()
	p.mu.Unlock()
}

// (2) A closed flag set by a helper; the wake in another helper, after it.

type rwSem struct {
	mu     sync.Mutex
	cond   *sync.Cond
	held   int
	limit  int
	closed bool
}

func newRwSem(limit int) *rwSem {
	s := &rwSem{limit: limit}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *rwSem) markClosed() { s.closed = true }

func (s *rwSem) wakeAll() { s.cond.Broadcast() }

func (s *rwSem) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.markClosed()
	s.wakeAll()
}

func (s *rwSem) Release() {
	s.mu.Lock()
	s.held--
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *rwSem) Acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	for s.held >= s.limit {
		s.cond.Wait() // want `Wait on cond in Acquire can sleep for good: Acquire tests closed before its wait loop, and markClosed sets it`
	}
	s.held++
	return true
}

// (2, fixed) The loop asks a method that reports the flag.

type rwSemFixed struct {
	mu     sync.Mutex
	cond   *sync.Cond
	held   int
	limit  int
	closed bool
}

func newRwSemFixed(limit int) *rwSemFixed {
	s := &rwSemFixed{limit: limit}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *rwSemFixed) isClosed() bool { return s.closed }

func (s *rwSemFixed) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.cond.Broadcast()
}

func (s *rwSemFixed) Release() {
	s.mu.Lock()
	s.held--
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *rwSemFixed) Acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	for s.held >= s.limit {
		if s.isClosed() {
			return false
		}
		s.cond.Wait()
	}
	s.held++
	return true
}

// (3) A loop left by a break, calling a helper that hands its argument
// back (the error it is given, unless another is kept): the helper does
// not report the state.

type rwQueue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	cap   int
	err   error
}

func newRwQueue(n int) *rwQueue {
	q := &rwQueue{cap: n}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *rwQueue) keep(err error) error {
	if q.err != nil && q.err != errRwClosed {
		return q.err
	}
	return err
}

func (q *rwQueue) fail(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.err = err
	q.cond.Broadcast()
}

func (q *rwQueue) Take() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && q.err == nil {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return -1
	}
	v := q.items[0]
	q.items = q.items[1:]
	q.cond.Broadcast()
	return v
}

func (q *rwQueue) Put(v int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	for {
		if len(q.items) < q.cap {
			break
		}
		if err := q.keep(nil); err != nil {
			return err
		}
		q.cond.Wait() // want `Wait on cond in Put can sleep for good: Put tests err before its wait loop, and fail sets it`
	}
	q.items = append(q.items, v)
	q.cond.Broadcast()
	return nil
}

// (3, fixed) The helper in the loop reports the state: every result is the
// error kept or nil.

type rwQueueFixed struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	cap   int
	err   error
}

func newRwQueueFixed(n int) *rwQueueFixed {
	q := &rwQueueFixed{cap: n}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *rwQueueFixed) check() error {
	if q.err != nil {
		return q.err
	}
	return nil
}

func (q *rwQueueFixed) fail(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.err = err
	q.cond.Broadcast()
}

func (q *rwQueueFixed) Take() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && q.err == nil {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return -1
	}
	v := q.items[0]
	q.items = q.items[1:]
	q.cond.Broadcast()
	return v
}

func (q *rwQueueFixed) Put(v int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return q.err
	}
	for {
		if len(q.items) < q.cap {
			break
		}
		if err := q.check(); err != nil {
			return err
		}
		q.cond.Wait()
	}
	q.items = append(q.items, v)
	q.cond.Broadcast()
	return nil
}

// (look-alike) A state that is set back (Reopen) is no one-way close.

type rwGate struct {
	mu     sync.Mutex
	cond   *sync.Cond
	n      int
	paused bool
}

func newRwGate() *rwGate {
	g := &rwGate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *rwGate) Pause() {
	g.mu.Lock()
	g.paused = true
	g.cond.Broadcast()
	g.mu.Unlock()
}

func (g *rwGate) Resume() {
	g.mu.Lock()
	g.paused = false
	g.n = 0
	g.cond.Broadcast()
	g.mu.Unlock()
}

func (g *rwGate) Enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused {
		return false
	}
	for g.n >= 4 {
		g.cond.Wait()
	}
	g.n++
	return true
}

// Package condlocker tests that a condition variable's Wait releases its
// Locker however the Locker is spelled: a struct that embeds sync.Mutex
// given as the Locker (sync.NewCond(s)), the address of a mutex field, an
// RWMutex's RLocker(), a Locker passed to a constructor that stores it, a
// Cond's L set directly; for sync.Cond and for a Cond of the package's own
// (a channel-based one whose Wait unlocks L, waits, and locks L again, as
// juicedata/juicefs#3782's). A Wait on a Cond whose Locker is a different
// lock than the one held is still reported.
package condlocker

import "sync"

// --- sync.Cond: the waiter starts the signaller holding the Cond's lock,
// and the signaller takes it: no lost wake-up, however L is spelled ---

// The struct embeds sync.Mutex and is the Locker itself.
type embedded struct {
	sync.Mutex
	done *sync.Cond
	n    int
}

func newEmbedded() *embedded {
	e := &embedded{}
	e.done = sync.NewCond(e)
	return e
}

func (e *embedded) runAndWait() {
	e.Lock()
	go e.work()
	e.done.Wait()
	e.Unlock()
}

func (e *embedded) work() {
	e.Lock()
	e.n++
	e.done.Broadcast()
	e.Unlock()
}

// The address of the embedded Mutex.
type embeddedAddr struct {
	sync.Mutex
	done *sync.Cond
	n    int
}

func newEmbeddedAddr() *embeddedAddr {
	e := &embeddedAddr{}
	e.done = sync.NewCond(&e.Mutex)
	return e
}

func (e *embeddedAddr) runAndWait() {
	e.Lock()
	go e.work()
	e.done.Wait()
	e.Unlock()
}

func (e *embeddedAddr) work() {
	e.Lock()
	e.n++
	e.done.Broadcast()
	e.Unlock()
}

// A read lock through RLocker: the signaller's write Lock waits for Wait
// to release the waiter's read lock.
type readLocked struct {
	rw   sync.RWMutex
	done *sync.Cond
	n    int
}

func newReadLocked() *readLocked {
	r := &readLocked{}
	r.done = sync.NewCond(r.rw.RLocker())
	return r
}

func (r *readLocked) runAndWait() {
	r.rw.RLock()
	go r.work()
	r.done.Wait()
	r.rw.RUnlock()
}

func (r *readLocked) work() {
	r.rw.Lock()
	r.n++
	r.done.Broadcast()
	r.rw.Unlock()
}

// The Cond made in a constructor from the Locker it is passed.
type job struct {
	mu sync.Mutex
	w  *waiter
	n  int
}

type waiter struct {
	cond *sync.Cond
}

func newWaiter(l sync.Locker) *waiter {
	return &waiter{cond: sync.NewCond(l)}
}

func newJob() *job {
	j := &job{}
	j.w = newWaiter(&j.mu)
	return j
}

func (j *job) runAndWait() {
	j.mu.Lock()
	go j.work()
	j.w.cond.Wait()
	j.mu.Unlock()
}

func (j *job) work() {
	j.mu.Lock()
	j.n++
	j.w.cond.Broadcast()
	j.mu.Unlock()
}

// A Cond value field whose L is set to the struct that embeds the Mutex.
type condValue struct {
	sync.Mutex
	cond sync.Cond
	n    int
}

func newCondValue() *condValue {
	c := &condValue{}
	c.cond.L = c
	return c
}

func (c *condValue) runAndWait() {
	c.Lock()
	go c.work()
	c.cond.Wait()
	c.Unlock()
}

func (c *condValue) work() {
	c.Lock()
	c.n++
	c.cond.Broadcast()
	c.Unlock()
}

// A Cond literal with its L.
type literal struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func newLiteral() *literal {
	l := &literal{}
	l.cond = &sync.Cond{L: &l.mu}
	return l
}

func (l *literal) runAndWait() {
	l.mu.Lock()
	go l.work()
	l.cond.Wait()
	l.mu.Unlock()
}

func (l *literal) work() {
	l.mu.Lock()
	l.n++
	l.cond.Broadcast()
	l.mu.Unlock()
}

// --- sync.Cond: Wait releases only its own Locker ---

// The waiter holds the embedded Mutex, which Wait does not release (the
// Cond's L is other); the signaller needs it: reported.
type twoLocks struct {
	sync.Mutex
	other sync.Mutex
	cond  *sync.Cond
	ready bool
}

func newTwoLocks() *twoLocks {
	t := &twoLocks{}
	t.cond = sync.NewCond(&t.other)
	return t
}

func (t *twoLocks) wait() {
	t.Lock()
	t.other.Lock()
	for !t.ready {
		t.cond.Wait() // want `this goroutine waits on t.cond while holding t.Mutex \(locked at line \d+\), but signal, which signals it \(line \d+\), first locks t.Mutex`
	}
	t.other.Unlock()
	t.Unlock()
}

func (t *twoLocks) signal() {
	t.Lock()
	t.other.Lock()
	t.ready = true
	t.cond.Signal()
	t.other.Unlock()
	t.Unlock()
}

// The Cond's Locker is the struct (its embedded Mutex); the waiter also
// holds mu, which Wait does not release and the signaller needs.
type twoLocksEmbedded struct {
	sync.Mutex
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
}

func newTwoLocksEmbedded() *twoLocksEmbedded {
	t := &twoLocksEmbedded{}
	t.cond = sync.NewCond(t)
	return t
}

func (t *twoLocksEmbedded) wait() {
	t.mu.Lock()
	t.Lock()
	for !t.ready {
		t.cond.Wait() // want `this goroutine waits on t.cond while holding t.mu \(locked at line \d+\), but signal, which signals it \(line \d+\), first locks t.mu`
	}
	t.Unlock()
	t.mu.Unlock()
}

func (t *twoLocksEmbedded) signal() {
	t.mu.Lock()
	t.Lock()
	t.ready = true
	t.cond.Signal()
	t.Unlock()
	t.mu.Unlock()
}

// --- a Cond of the package's own: Wait unlocks L, waits on a channel and
// locks L again (juicedata/juicefs#3782's) ---

type chanCond struct {
	l      sync.Locker
	signal chan bool
}

func newChanCond(l sync.Locker) *chanCond {
	return &chanCond{l: l, signal: make(chan bool)}
}

func (c *chanCond) wake() {
	select {
	case c.signal <- true:
	default:
	}
}

func (c *chanCond) wait() {
	c.l.Unlock()
	defer c.l.Lock()
	<-c.signal
}

// The slice embeds sync.Mutex and is its Cond's Locker: the waiter does
// not hold it while it receives.
type pendingSlice struct {
	sync.Mutex
	cond  *chanCond
	ready bool
}

func newPendingSlice() *pendingSlice {
	s := &pendingSlice{}
	s.cond = newChanCond(s)
	return s
}

func (s *pendingSlice) waitReady() {
	s.Lock()
	for !s.ready {
		s.cond.wait()
	}
	s.Unlock()
}

func (s *pendingSlice) markReady() {
	s.Lock()
	s.ready = true
	s.Unlock()
	s.cond.wake()
}

// The same with the address of a mutex field.
type pendingField struct {
	mu    sync.Mutex
	cond  *chanCond
	ready bool
}

func newPendingField() *pendingField {
	s := &pendingField{}
	s.cond = newChanCond(&s.mu)
	return s
}

func (s *pendingField) waitReady() {
	s.mu.Lock()
	for !s.ready {
		s.cond.wait()
	}
	s.mu.Unlock()
}

func (s *pendingField) markReady() {
	s.mu.Lock()
	s.ready = true
	s.mu.Unlock()
	s.cond.wake()
}

// The same with a read lock through RLocker.
type pendingRead struct {
	rw    sync.RWMutex
	cond  *chanCond
	ready bool
}

func newPendingRead() *pendingRead {
	s := &pendingRead{}
	s.cond = newChanCond(s.rw.RLocker())
	return s
}

func (s *pendingRead) waitReady() {
	s.rw.RLock()
	for !s.ready {
		s.cond.wait()
	}
	s.rw.RUnlock()
}

func (s *pendingRead) markReady() {
	s.rw.Lock()
	s.ready = true
	s.rw.Unlock()
	s.cond.wake()
}

// The same with the wait written out inline.
type pendingInline struct {
	sync.Mutex
	cond  *chanCond
	ready bool
}

func newPendingInline() *pendingInline {
	s := &pendingInline{}
	s.cond = newChanCond(s)
	return s
}

func (s *pendingInline) waitReady() {
	s.Lock()
	for !s.ready {
		s.cond.l.Unlock()
		<-s.cond.signal
		s.cond.l.Lock()
	}
	s.Unlock()
}

func (s *pendingInline) markReady() {
	s.Lock()
	s.ready = true
	s.Unlock()
	s.cond.wake()
}

// The Cond's Locker is cmu, but the waiter also holds the embedded Mutex,
// which the signaller locks first: reported.
type box struct {
	sync.Mutex
	cmu   sync.Mutex
	cond  *chanCond
	ready bool
}

func newBox() *box {
	b := &box{}
	b.cond = newChanCond(&b.cmu)
	return b
}

func (b *box) waitReady() {
	b.Lock()
	b.cmu.Lock()
	for !b.ready {
		b.cond.wait() // want `this goroutine receives from b.cond.signal inside b.cond.wait \(line \d+\) while holding b.Mutex \(locked at line \d+\), but markReady, which sends on or closes it \(line \d+\), first locks b.Mutex`
	}
	b.cmu.Unlock()
	b.Unlock()
}

func (b *box) markReady() {
	b.Lock()
	b.ready = true
	b.Unlock()
	b.cond.wake()
}

// An exported Cond whose L other packages may set: its Wait unlocks a
// lock that is not known here, and the waiter's lock is not taken to be
// held (juicedata/juicefs#3782, as written upstream).
type Cond struct {
	L      sync.Locker
	signal chan bool
}

func NewCond(l sync.Locker) *Cond {
	return &Cond{L: l, signal: make(chan bool)}
}

func (c *Cond) Signal() {
	select {
	case c.signal <- true:
	default:
	}
}

func (c *Cond) Wait() {
	c.L.Unlock()
	defer c.L.Lock()
	<-c.signal
}

type upstream struct {
	sync.Mutex
	cond  *Cond
	ready bool
}

func newUpstream() *upstream {
	s := &upstream{}
	s.cond = NewCond(s)
	return s
}

func (s *upstream) waitReady() {
	s.Lock()
	for !s.ready {
		s.cond.Wait()
	}
	s.Unlock()
}

func (s *upstream) markReady() {
	s.Lock()
	s.ready = true
	s.Unlock()
	s.cond.Signal()
}

package a

import "sync"

// Look-alikes of correct real code (nats-server's idioms) that lockorder
// once reported: each must stay silent, and a true positive beside it
// keeps the rule honest.

type S struct {
	mu    sync.Mutex
	other struct{ mu sync.Mutex }
	n     int
	done  chan struct{}
	state int32
}

// --- A. a lock guarded by a bool parameter ---

func (s *S) get(needLock bool) int { // want get:`^acquires \{p0\}\.mu if \{p1\}$`
	if needLock {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	return s.n
}

func (s *S) getUnderLock() int { // want getUnderLock:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(false) // ok: get(false) does not lock
}

func (s *S) getTrueUnderLock() int { // want getTrueUnderLock:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(true) // want `s.mu is locked again inside s.get`
}

// The flag passed on from the caller's own parameter.
func (s *S) getVia(needLock bool) int { return s.get(needLock) } // want getVia:`^acquires \{p0\}\.mu if \{p1\}$`

func (s *S) getViaUnderLock() int { // want getViaUnderLock:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.getVia(false) // ok
}

// Lock and unlock helpers that close over the flag (processAckMsgLocked).
func (s *S) ack(needLock bool) { // want ack:`^acquires \{p0\}\.mu if \{p1\}$`
	lock := func() {
		if needLock {
			s.mu.Lock()
		}
	}
	unlock := func() {
		if needLock {
			s.mu.Unlock()
		}
	}
	lock()
	if s.n < 0 {
		unlock()
		return
	}
	s.n++
	unlock()
}

func (s *S) ackUnderLock() { // want ackUnderLock:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	s.ack(false) // ok: neither locks nor unlocks
	s.mu.Lock()  // want `s.mu is locked again while this goroutine already holds it`
	s.mu.Unlock()
}

// --- B. unlock of a lock held only on some paths ---

// Called with s.mu held: drops it around each slow step.
func (s *S) eachUnlocked(items []int) { // want eachUnlocked:`^holds \{p0\}\.mu, releases \{p0\}\.mu, reacquires \{p0\}\.mu$`
	for _, it := range items {
		s.mu.Unlock()
		s.n += it
		s.mu.Lock() // ok: unlocked at the top of every iteration
	}
}

func (s *S) callsEachUnlocked(items []int) { // want callsEachUnlocked:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	s.eachUnlocked(items)
	s.mu.Unlock()
	s.mu.Lock() // ok: eachUnlocked gives the lock back
	s.mu.Unlock()
}

func (s *S) relockLoop(items []int) { // want relockLoop:`^releases \{p0\}\.mu, reacquires \{p0\}\.mu$`
	for range items {
		if s.n > 0 {
			s.mu.Lock()
		}
		s.mu.Unlock() // releases whatever this path holds
		s.mu.Lock()   // ok: nothing left held
		s.mu.Unlock()
	}
}

// --- C. lock and unlock under the same condition or a flag ---

func (s *S) recover(items []int, recovering bool) { // want recover:`^acquires \{p0\}\.mu if \{p2\}$`
	for _, it := range items {
		if recovering {
			s.mu.Lock()
		}
		s.n += it
		if recovering {
			s.mu.Unlock()
		}
	}
}

func (s *S) sameLocal(items []int) { // want sameLocal:`^acquires \{p0\}\.mu$`
	for _, it := range items {
		busy := it > 10
		if busy {
			s.mu.Lock()
		}
		s.n += it
		if busy {
			s.mu.Unlock()
		}
		s.mu.Lock() // ok: unlocked above whenever it was locked
		s.mu.Unlock()
	}
}

func (s *S) lockOnce(items []int) { // want lockOnce:`^acquires \{p0\}\.mu$`
	locked := false
	for _, it := range items {
		if it > 0 {
			if !locked {
				s.mu.Lock() // ok: the flag keeps it to one Lock
				defer s.mu.Unlock()
				locked = true
			}
			s.n += it
		}
	}
}

func (s *S) deferInLoop(items []int) { // want deferInLoop:`^acquires \{p0\}\.mu$`
	for _, it := range items {
		s.mu.Lock() // want `s.mu is locked in a loop while some path through the previous iteration leaves it locked`
		defer s.mu.Unlock()
		s.n += it
	}
}

func (s *S) condLockCaller(x bool) { // want condLockCaller:`^acquires \{p0\}\.mu$`
	s.recover(nil, x)
	s.mu.Lock() // ok: recover leaves nothing held or released
	s.mu.Unlock()
}

// --- D. a callee that drops the caller's lock before taking another ---

// Called with s.mu held.
func (s *S) swapLocks() { // want swapLocks:`^acquires \{p0\}\.other\.mu, holds \{p0\}\.mu, releases \{p0\}\.mu, reacquires \{p0\}\.mu$`
	s.mu.Unlock()
	s.other.mu.Lock()
	s.n++
	s.other.mu.Unlock()
	s.mu.Lock()
}

func (s *S) callsSwap() { // want callsSwap:`^acquires \{p0\}\.mu, acquires \{p0\}\.other\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.swapLocks() // ok: no order mu -> other.mu
}

func (s *S) otherThenMu() { // want otherThenMu:`^acquires \{p0\}\.mu, acquires \{p0\}\.other\.mu$`
	s.other.mu.Lock()
	defer s.other.mu.Unlock()
	s.mu.Lock() // ok: nobody takes other.mu while holding mu
	s.mu.Unlock()
}

// --- E. close, or wait for whoever closes ---

func (s *S) closeOnce() { // want closeOnce:`^wakes\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	if swap(&s.state) == 1 {
		<-s.done // the first caller closes it
		return
	}
	s.n++
	close(s.done)
}

func swap(p *int32) int32 { old := *p; *p = 1; return old }

func (s *S) stopLocked() { // want stopLocked:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeOnce() // ok: whoever closes s.done runs closeOnce too, not under s.mu
}

func (s *S) Shutdown() { // want Shutdown:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	s.mu.Lock()
	s.n = 0
	s.mu.Unlock()
	s.closeOnce()
}

// The only closer calls the waiter itself: not another goroutine's wake.
type E2 struct {
	mu   sync.Mutex
	done chan struct{}
	n    int
}

func (e *E2) waitLocked() { // want waitLocked:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	e.mu.Lock()
	defer e.mu.Unlock()
	<-e.done // ok: End, the closer, is the waiter's own caller
}

func (e *E2) End() { // want End:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	e.mu.Lock()
	e.n++
	e.mu.Unlock()
	e.waitLocked()
	close(e.done)
}

// NewS makes S's channel unbuffered.
func NewS() *S { return &S{done: make(chan struct{})} }

// NewE2 makes E2's channel unbuffered.
func NewE2() *E2 { return &E2{done: make(chan struct{})} }

// --- F. the other side in another file ---

var muE, muF sync.Mutex

func ef() { // want ef:`^acquires \{g:a\.muE\}, acquires \{g:a\.muF\}$`
	muE.Lock()
	muF.Lock() // the other order is in other.go: reported there
	muF.Unlock()
	muE.Unlock()
}

func (s *S) viaOtherFile() { // want viaOtherFile:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lockInOtherFile() // want `s.mu is locked again inside s.lockInOtherFile \(other.go:15\)`
}

// --- found on nats-server after the first fixes ---

// A lock helper that takes two locks (route.go's accLock): the caller
// holds both after it, but in the helper's order, not in a new one.
type Acc struct {
	mu, smu sync.Mutex
	n       int
}

func (a *Acc) update(queue bool) { // want update:`^acquires \{p0\}\.mu, acquires \{p0\}\.smu if \{p1\}$`
	lock := func() {
		if queue {
			a.smu.Lock()
		}
		a.mu.Lock()
	}
	unlock := func() {
		a.mu.Unlock()
		if queue {
			a.smu.Unlock()
		}
	}
	lock()
	a.n++
	unlock()
}

// The helper's own order, elsewhere: an edge mu -> smu from update would
// be reported against it.
func (a *Acc) smuThenMu() { // want smuThenMu:`^acquires \{p0\}\.mu, acquires \{p0\}\.smu$`
	a.smu.Lock()
	a.mu.Lock()
	a.mu.Unlock()
	a.smu.Unlock()
}

// A callee's lock that depends on `other && needLock` (ackInPlace).
func (s *S) ackInPlace(needLock bool) { // want ackInPlace:`^acquires \{p0\}\.mu if \{p1\}, acquires \{p0\}\.other\.mu if \{p1\}$`
	inPlace := s.n > 0 && needLock
	if needLock {
		s.mu.Lock()
	}
	s.n++
	if needLock {
		s.mu.Unlock()
	}
	if inPlace {
		s.other.mu.Lock()
		s.other.mu.Unlock()
	}
}

func (s *S) ackInPlaceLocked() { // want ackInPlaceLocked:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackInPlace(false) // ok: neither s.mu nor s.other.mu
}

// A WaitGroup whose Done runs in goroutines started by wg.Go.
type Pool struct {
	mu sync.Mutex
	wg sync.WaitGroup
	n  int
}

func (p *Pool) start() { // want start:`^acquires \{p0\}\.mu, wakes\(wg-go\) \{p0\}\.wg$`
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wg.Go(func() {})
}

func (p *Pool) close() { // want close:`^acquires \{p0\}\.mu, waits\(wg\) \{p0\}\.wg$`
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wg.Wait() // ok: the goroutines wg.Go started call Done without p.mu
}

// The same with the condition captured by a closure (a heap variable).
func (s *S) ackInPlaceCaptured(needLock bool) { // want ackInPlaceCaptured:`^acquires \{p0\}\.mu if \{p1\}, acquires \{p0\}\.other\.mu if \{p1\}$`
	inPlace := s.n > 0 && needLock
	count := func() {
		if inPlace {
			s.n++
		}
	}
	if needLock {
		s.mu.Lock()
	}
	count()
	if needLock {
		s.mu.Unlock()
	}
	if inPlace {
		s.other.mu.Lock()
		s.other.mu.Unlock()
	}
}

func (s *S) ackInPlaceCapturedLocked() { // want ackInPlaceCapturedLocked:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackInPlaceCaptured(false) // ok: an order mu -> other.mu here would invert otherThenMu's
}

// --- lock classes (issue 14, item 1) ---

// Reg.mu then Store2.mu through a back-pointer, Store2.mu then Reg.mu
// through a parameter: the same two classes in both orders.
type Store2 struct {
	mu sync.Mutex
	n  int
}

type Reg struct {
	mu    sync.Mutex
	store *Store2
	items map[string]*Item
	list  []*Item
}

func (r *Reg) put() { // want put:`^acquires \{p0\}\.mu, acquires \{p0\}\.store\^\.mu$`
	r.mu.Lock()
	defer r.mu.Unlock()
	r.store.mu.Lock() // want `lock order inversion by lock class: put locks r.mu \(line \d+\) then r.store.mu here, while flush locks s.mu \(line \d+\) then r.mu \(line \d+\): when they are the same a.Reg.mu and a.Store2.mu`
	r.store.mu.Unlock()
}

func (s *Store2) flush(r *Reg) { // want flush:`^acquires \{p0\}\.mu, acquires \{p1\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	r.mu.Lock()
	r.mu.Unlock()
}

// A map element and a slice element: no instance, still a class.
type Item struct {
	mu sync.Mutex
	n  int
}

func (r *Reg) touch(k string) { // want touch:`^acquires class a\.Item\.mu, acquires \{p0\}\.mu$`
	r.items[k].mu.Lock()
	r.mu.Lock() // want `lock order inversion by lock class: touch locks r.items\[…\].mu \(line \d+\) then r.mu here, while walk locks r.mu \(line \d+\) then r.list\[…\].mu`
	r.mu.Unlock()
	r.items[k].mu.Unlock()
}

func (r *Reg) walk(i int) { // want walk:`^acquires class a\.Item\.mu, acquires \{p0\}\.mu$`
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.list[i]
	it.mu.Lock()
	it.mu.Unlock()
}

// The look-alike: the same classes always in one order.
type Store3 struct {
	mu sync.Mutex
	n  int
}

type Reg3 struct {
	mu    sync.Mutex
	store *Store3
}

func (r *Reg3) put() { // want put:`^acquires \{p0\}\.mu, acquires \{p0\}\.store\^\.mu$`
	r.mu.Lock()
	defer r.mu.Unlock()
	r.store.mu.Lock() // ok: Reg3.mu before Store3.mu everywhere
	r.store.mu.Unlock()
}

func (s *Store3) flush(r *Reg3) { // want flush:`^acquires \{p0\}\.mu, acquires \{p1\}\.mu$`
	r.mu.Lock()
	defer r.mu.Unlock()
	s.mu.Lock()
	s.mu.Unlock()
}

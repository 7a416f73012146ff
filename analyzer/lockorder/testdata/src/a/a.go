package a

import (
	"b"
	"sync"
)

type T struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	a, c sync.Mutex
	n    int
	next *T
}

// --- double locking ---

func (t *T) direct() { // want direct:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.n++
	t.mu.Lock() // want `t.mu is locked again while this goroutine already holds it \(locked at line 19\)`
	t.mu.Unlock()
}

func (t *T) helper() { // want helper:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
}

func (t *T) viaCallee() { // want viaCallee:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	t.helper() // want `t.mu is locked again inside t.helper \(line 26\) while this goroutine already holds it`
}

func (t *T) deeper() { t.helper() } // want deeper:`^acquires \{p0\}\.mu$`

func (t *T) viaTwoCallees() { // want viaTwoCallees:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.deeper() // want `t.mu is locked again inside t.deeper`
	t.mu.Unlock()
}

func crossPackage(s *b.Store) { // want crossPackage:`^acquires \{p0\}\.mu$`
	s.Lock()
	_ = s.Get("k") // want `s.mu is locked again inside s.Get \(b.go:14\)`
	s.Unlock()
}

func crossPackageGlobal() { // want crossPackageGlobal:`^acquires \{g:b\.Mu\}$`
	b.Mu.Lock()
	b.WithMu(func() {}) // want `Mu is locked again inside WithMu`
	b.Mu.Unlock()
}

func (t *T) writeUnderRead() { // want writeUnderRead:`^acquires \{p0\}\.rw$`
	t.rw.RLock()
	defer t.rw.RUnlock()
	t.rw.Lock() // want `t.rw is write-locked while this goroutine holds its read lock`
}

// --- safe look-alikes ---

func (t *T) releasedFirst() { // want releasedFirst:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
	t.helper() // ok: released before
}

func (t *T) tryLock() { // want tryLock:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.TryLock() { // ok: TryLock never blocks
		t.mu.Unlock()
	}
}

func (t *T) otherInstance(u *T) { // want otherInstance:`^acquires \{p0\}\.mu, acquires \{p0\}\.next\^\.mu, acquires \{p1\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	u.mu.Lock() // ok here: different instances (parameters)
	u.mu.Unlock()
	t.next.mu.Lock() // ok: the mu of another T
	t.next.mu.Unlock()
}

// Held only when x is true, and then locked again: path conditions tell.
func (t *T) conditional(x bool) { // want conditional:`^acquires \{p0\}\.mu if !\{p1\}, releases \{p0\}\.mu if \{p1\}$`
	if x {
		t.mu.Lock()
	}
	t.mu.Lock() // want `t.mu is locked again while this goroutine already holds it \(locked at line 92\) when x is true`
	t.mu.Unlock()
	if x {
		t.mu.Unlock()
	}
}

// The look-alike: unlocked under the same condition first.
func (t *T) conditionalBalanced(x bool) { // want conditionalBalanced:`^acquires \{p0\}\.mu$`
	if x {
		t.mu.Lock()
	}
	t.n++
	if x {
		t.mu.Unlock()
	}
	t.mu.Lock() // ok
	t.mu.Unlock()
}

func (t *T) loop() { // want loop:`^acquires \{p0\}\.mu$`
	for i := 0; i < 3; i++ {
		t.mu.Lock()
		t.n++
		t.mu.Unlock()
	}
}

func loopLocal() {
	for i := 0; i < 3; i++ {
		var mu sync.Mutex
		mu.Lock() // ok: a new mutex each iteration
		_ = &mu
	}
}

func (t *T) unlockHelper() { // want unlockHelper:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.unlockIt()
	t.mu.Lock() // ok: unlockIt released it
	t.mu.Unlock()
}

func (t *T) unlockIt() { t.mu.Unlock() } // want unlockIt:`^releases \{p0\}\.mu$`

func (t *T) relock() { // want relock:`^holds \{p0\}\.mu, releases \{p0\}\.mu, reacquires \{p0\}\.mu$`
	t.mu.Unlock()
	t.n++
	t.mu.Lock()
}

func (t *T) callsRelock() { // want callsRelock:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.relock() // ok: relock releases before relocking
	t.mu.Unlock()
}

func (t *T) goroutine() { // want goroutine:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	go t.helper() // ok: another goroutine waits, it does not deadlock
}

// The "unlocked by another goroutine" idiom: not a self-deadlock.
func handOff() {
	var mu sync.Mutex
	mu.Lock()
	go func() {
		mu.Unlock()
	}()
	mu.Lock() // ok: the goroutine unlocks it
}

func handOffArg() {
	var mu sync.Mutex
	mu.Lock()
	go unlock(&mu)
	mu.Lock() // ok: the goroutine unlocks it
}

func unlock(mu *sync.Mutex) { mu.Unlock() } // want unlock:`^releases \{p0\}$`

func localTwice() {
	var mu sync.Mutex
	mu.Lock()
	mu.Lock() // want `mu is locked again`
}

// Generic types are followed too.
type G[T any] struct {
	mu sync.Mutex
	v  T
}

func (g *G[T]) get() T { // want get:`^acquires \{p0\}\.mu$`
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.v
}

func (g *G[T]) getTwice() T { // want getTwice:`^acquires \{p0\}\.mu$`
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.get() // want `g.mu is locked again inside g.get`
}

func useG() int { return (&G[int]{}).getTwice() }

// A path that keeps the lock into the next iteration (a missing Unlock
// before continue).
func (t *T) missingUnlock(items []int) { // want missingUnlock:`^acquires \{p0\}\.mu$`
	for _, it := range items {
		t.mu.Lock() // want `t.mu is locked in a loop while some path through the previous iteration leaves it locked \(since line 206\)`
		if it < 0 {
			continue
		}
		t.n += it
		t.mu.Unlock()
	}
}

func (t *T) unlockEveryPath(items []int) { // want unlockEveryPath:`^acquires \{p0\}\.mu$`
	for _, it := range items {
		t.mu.Lock() // ok: unlocked on every path back
		if it < 0 {
			t.mu.Unlock()
			continue
		}
		t.n += it
		t.mu.Unlock()
	}
}

func (t *T) lockOnceBeforeLoop(items []int) { // want lockOnceBeforeLoop:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, it := range items {
		t.n += it
	}
}

// Unlocked by a deferred closure: not held on return.
func (t *T) deferClosure() { // want deferClosure:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	defer func() { t.mu.Unlock() }()
	t.n++
}

func (t *T) afterDeferClosure() { // want afterDeferClosure:`^acquires \{p0\}\.mu$`
	t.deferClosure()
	t.mu.Lock() // ok: deferClosure released it
	t.mu.Unlock()
}

// Through a sync.Locker.
type L struct {
	l  sync.Locker
	mu sync.Mutex
}

func (x *L) viaLocker() { // want viaLocker:`^acquires \{p0\}\.mu$`
	x.mu.Lock()
	x.l.Unlock() // may be x.mu: we no longer know what is held
	x.mu.Lock()  // ok: not reported
	x.mu.Unlock()
}

// A receiver captured by a closure is still the receiver.
func (t *T) lockThenDeferClosure() { // want lockThenDeferClosure:`^acquires \{p0\}\.mu$`
	t.mu.Lock()
	t.deferClosure() // want `t.mu is locked again inside t.deferClosure`
	t.mu.Unlock()
}

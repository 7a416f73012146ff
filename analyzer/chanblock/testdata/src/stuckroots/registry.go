package stuckroots

import "sync"

// Per-key objects kept in a registry map the caller builds, found again
// by lookups in the goroutines that work on them (chanmodel syncmap.go).

type session struct {
	mu    sync.Mutex
	state int
}

type sessionTable struct {
	mu       sync.Mutex
	sessions map[string]*session
}

// expire locks the table, then the session it looks up.
func (t *sessionTable) expire(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil {
		return
	}
	s.mu.Lock()
	s.state = 0
	s.mu.Unlock()
}

// touch locks the session, then the table: the opposite order.
func (t *sessionTable) touch(s *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t.mu.Lock()
	s.state++
	t.mu.Unlock()
}

func serveSession(id string) {
	t := &sessionTable{sessions: map[string]*session{}}
	s := &session{}
	t.sessions[id] = s
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.expire(id)
	}()
	go func() {
		defer wg.Done()
		t.touch(s)
	}()
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 2; the goroutine running serveSession's function literal holds t.mu and is blocked at s.mu.Lock \(registry.go:\d+\) without calling Done`
}

// Fixed: touch takes the table's lock first, as expire does.
func (t *sessionTable) touchFixed(s *session) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.mu.Lock()
	s.state++
	s.mu.Unlock()
}

func serveSessionFixed(id string) {
	t := &sessionTable{sessions: map[string]*session{}}
	s := &session{}
	t.sessions[id] = s
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.expire(id)
	}()
	go func() {
		defer wg.Done()
		t.touchFixed(s)
	}()
	wg.Wait()
}

type account struct {
	mu      sync.Mutex
	balance int
}

type ledger struct {
	accounts map[string]*account
}

func (l *ledger) balanceOf(name string) int {
	a := l.accounts[name]
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balance
}

// deposit looks its account up and locks it, then checks the balance
// through balanceOf, which looks the same account up and locks it again.
func (l *ledger) deposit(name string, n int) {
	a, ok := l.accounts[name]
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if l.balanceOf(name)+n < 0 {
		return
	}
	a.balance += n
}

func settle(name string, amounts []int) {
	l := &ledger{accounts: map[string]*account{}}
	l.accounts[name] = &account{}
	var wg sync.WaitGroup
	for _, n := range amounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.deposit(name, n)
		}()
	}
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running settle's function literal holds mu and is blocked at mu.Lock \(registry.go:\d+\) without calling Done`
}

// Fixed: the check reads the balance it already holds the lock for.
func (l *ledger) depositFixed(name string, n int) {
	a, ok := l.accounts[name]
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.balance+n < 0 {
		return
	}
	a.balance += n
}

func settleFixed(name string, amounts []int) {
	l := &ledger{accounts: map[string]*account{}}
	l.accounts[name] = &account{}
	var wg sync.WaitGroup
	for _, n := range amounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.depositFixed(name, n)
		}()
	}
	wg.Wait()
}

// Look-alikes: the same lock orders, but the lookups cannot find the
// object the caller locks.

// The goroutine expires another key: its lookup misses.
func serveOtherSession() {
	t := &sessionTable{sessions: map[string]*session{}}
	s := &session{}
	t.sessions["a"] = s
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.expire("b")
	}()
	go func() {
		defer wg.Done()
		t.touch(s)
	}()
	wg.Wait()
}

// The expiry starts before the session is registered: it may find
// nothing.
func serveEarlyExpiry(id string) {
	t := &sessionTable{sessions: map[string]*session{}}
	s := &session{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		t.expire(id)
	}()
	t.sessions[id] = s
	go func() {
		defer wg.Done()
		t.touch(s)
	}()
	wg.Wait()
}

// Two accounts kept: a lookup may find either, and a transfer locks
// them in one order.
func (l *ledger) transfer(from, to string, n int) {
	a, b := l.accounts[from], l.accounts[to]
	if from > to {
		a, b = b, a
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	a.balance -= n
	b.balance += n
}

func settlePair(x, y string) {
	l := &ledger{accounts: map[string]*account{}}
	l.accounts[x] = &account{}
	l.accounts[y] = &account{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		l.transfer(x, y, 1)
	}()
	go func() {
		defer wg.Done()
		l.transfer(y, x, 1)
	}()
	wg.Wait()
}

// The account is removed before the balance is read again: the second
// lookup may miss (a delete gives the map up).
func (l *ledger) close(name string) int {
	a := l.accounts[name]
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(l.accounts, name)
	if b := l.accounts[name]; b != nil {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.balance
	}
	return a.balance
}

func settleClose(name string) int {
	l := &ledger{accounts: map[string]*account{}}
	l.accounts[name] = &account{}
	var wg sync.WaitGroup
	wg.Add(1)
	total := 0
	go func() {
		defer wg.Done()
		total = l.close(name)
	}()
	wg.Wait()
	return total
}

// A lock kept in a registry the receiver owns: others may look it up,
// but can only take it and release it again. The admitting path locks
// the limiter and calls refill, which locks it again.

type limiter struct {
	mu     sync.Mutex
	tokens int
}

func (l *limiter) refill(n int) {
	l.mu.Lock() // want `this l.mu.Lock can block forever: this goroutine already holds mu`
	defer l.mu.Unlock()
	l.tokens = n
}

type gateway struct {
	mu       sync.RWMutex
	limiters map[string]*limiter
}

func (g *gateway) admit(user string, burst int) {
	l := &limiter{}
	g.mu.Lock()
	g.limiters[user] = l
	g.mu.Unlock()

	l.mu.Lock()
	l.refill(burst)
	l.mu.Unlock()
}

// Fixed: refill takes the lock itself.
func (g *gateway) admitFixed(user string, burst int) {
	l := &limiter{}
	g.mu.Lock()
	g.limiters[user] = l
	g.mu.Unlock()

	l.refill(burst)
}

// Look-alike: the limiter is registered locked and handed over; another
// method of the gateway releases it (the model cannot see who does).
func (g *gateway) reserve(user string) {
	l := &limiter{}
	l.mu.Lock()
	g.mu.Lock()
	g.limiters[user] = l
	g.mu.Unlock()
}

func (g *gateway) release(user string) {
	g.mu.RLock()
	l := g.limiters[user]
	g.mu.RUnlock()
	l.mu.Unlock()
}

// The same, returned to the caller as well: the caller may only lock
// and unlock it.
func (l *limiter) drain() int {
	l.mu.Lock() // want `this l.mu.Lock can block forever: this goroutine already holds mu`
	defer l.mu.Unlock()
	n := l.tokens
	l.tokens = 0
	return n
}

func (g *gateway) open(user string) (*limiter, int) {
	l := &limiter{tokens: 1}
	g.mu.Lock()
	g.limiters[user] = l
	g.mu.Unlock()

	l.mu.Lock()
	defer l.mu.Unlock()
	return l, l.drain()
}

// Fixed: the count is read under the lock already held.
func (g *gateway) openFixed(user string) (*limiter, int) {
	l := &limiter{tokens: 1}
	g.mu.Lock()
	g.limiters[user] = l
	g.mu.Unlock()

	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.tokens
	l.tokens = 0
	return l, n
}

// Look-alike: returned locked, for the caller to unlock once it has
// filled it in.
func newHeldLimiter() *limiter {
	l := &limiter{}
	l.mu.Lock()
	return l
}

// Look-alike: a constructor that returns its object while a goroutine it
// started may still hold the lock.
func newRefilled(n int) *limiter {
	l := &limiter{}
	go l.refill(n)
	return l
}

// Look-alike: returned locked while the goroutine it starts waits for
// the lock; the caller unlocks it once it has filled the limiter in.
func newPendingLimiter(n int) *limiter {
	l := &limiter{}
	l.mu.Lock()
	go l.refill(n)
	return l
}

package dev

import "sync"

// Upstream: hashicorp/nomad#6082
//
// A lifetime helper runs a function on a goroutine and closes its dead
// channel (deferred) when the function returns; wait receives from it. A
// client reconfigures itself holding its lock: it kills the helper and
// waits for it. The function the client runs there records its state
// under that same lock before it returns, so the close never comes. The
// goroutine's own code cannot tell which function it runs: the call that
// passes the client's method value can. Fix: the client unlocks around
// the wait.
type lifetime struct {
	dying chan struct{}
	dead  chan struct{}
}

func newLifetime() *lifetime {
	return &lifetime{dying: make(chan struct{}), dead: make(chan struct{})}
}

func (l *lifetime) run(fn func()) {
	go func() {
		defer close(l.dead)
		fn()
	}()
}

func (l *lifetime) kill() { close(l.dying) }
func (l *lifetime) wait() { <-l.dead }

type vaultConn struct {
	mu    sync.Mutex
	lt    *lifetime
	ready bool
	addr  string
}

func (v *vaultConn) connect() {
	select {
	case <-v.lt.dying:
		return
	default:
	}
	v.mu.Lock()
	v.ready = true
	v.mu.Unlock()
}

func (v *vaultConn) reconfigure(addr string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lt.kill()
	v.lt.wait() // want `this goroutine receives from v.lt.dead inside v.lt.wait .*while holding v.mu .*but connect, which sends on or closes it .*first locks v.mu`
	v.addr = addr
	v.lt = newLifetime()
	v.lt.run(v.connect)
}

// The fix: the lock is released around the wait.
type vaultConnOK struct {
	mu    sync.Mutex
	lt    *lifetime
	ready bool
	addr  string
}

func (v *vaultConnOK) connect() {
	v.mu.Lock()
	v.ready = true
	v.mu.Unlock()
}

func (v *vaultConnOK) reconfigure(addr string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	lt := v.lt
	lt.kill()
	v.mu.Unlock()
	lt.wait()
	v.mu.Lock()
	v.addr = addr
	v.lt = newLifetime()
	v.lt.run(v.connect)
}

// A variant written differently: a WaitGroup whose Done is deferred in the
// goroutine a spawn method starts, the function is a closure that takes
// the owner's lock through a helper, and the owner waits on the group
// while it holds the lock (reached through a field of a field).
type spawner struct {
	wg sync.WaitGroup
}

func (s *spawner) spawn(fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
}

type fleet struct {
	state struct {
		mu    sync.Mutex
		count int
	}
	sp *spawner
}

func (f *fleet) bump() {
	f.state.mu.Lock()
	f.state.count++
	f.state.mu.Unlock()
}

func (f *fleet) launch(n int) {
	for i := 0; i < n; i++ {
		f.sp.spawn(func() { f.bump() })
	}
}

func (f *fleet) drain() {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	f.sp.wg.Wait() // want `this goroutine waits on f.sp.wg while holding f.state.mu .*but a function literal in launch, which calls Done .*first locks f.state.mu`
}

// Look-alike negative: the function the goroutine runs takes another
// lock, not the one held at the wait.
type mirror struct {
	mu   sync.Mutex
	logm sync.Mutex
	lt   *lifetime
	log  []string
}

func (m *mirror) note() {
	m.logm.Lock()
	m.log = append(m.log, "up")
	m.logm.Unlock()
}

func (m *mirror) restart() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lt.kill()
	m.lt.wait()
	m.lt = newLifetime()
	m.lt.run(m.note)
}

// A variant written differently: the goroutine is a method of the helper
// (go k.run(fn)), and it closes dead after the function returns without a
// defer, as gopkg.in/tomb.v2 does; the waiter receives from the field
// itself.
type keeper struct {
	mu   sync.Mutex
	err  error
	dead chan struct{}
}

func newKeeper() *keeper { return &keeper{dead: make(chan struct{})} }

func (k *keeper) Go(fn func() error) { go k.run(fn) }

func (k *keeper) run(fn func() error) {
	err := fn()
	k.mu.Lock()
	k.err = err
	k.mu.Unlock()
	close(k.dead)
}

type syncer struct {
	mu sync.Mutex
	kp *keeper
	n  int
}

func (s *syncer) loop() error {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	return nil
}

func (s *syncer) restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	<-s.kp.dead // want `this goroutine receives from s.kp.dead while holding s.mu .*but loop, which sends on or closes it .*first locks s.mu`
	s.kp = newKeeper()
	s.kp.Go(s.loop)
}

// Look-alike negative: the helper closes dead before it calls the
// function, so the function's locks do not hold the close back.
type herald struct{ ready chan struct{} }

func (h *herald) Go(fn func()) {
	go func() {
		close(h.ready)
		fn()
	}()
}

type station struct {
	mu sync.Mutex
	h  *herald
	on bool
}

func (st *station) boot() {
	st.mu.Lock()
	st.on = true
	st.mu.Unlock()
}

func (st *station) start() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.h = &herald{ready: make(chan struct{})}
	st.h.Go(st.boot)
	<-st.h.ready
}

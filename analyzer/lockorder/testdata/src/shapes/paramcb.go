package shapes

import "sync"

// Upstream: PretendoNetwork/nex-go#37
//
// MutexMap.Each read-locked the map and called its callback for every
// entry with that read lock held. PacketResendManager.Clear passed a
// callback that stopped each pending packet and called Remove, which
// deletes the entry through MutexMap.Delete under the map's write lock:
// Lock waits for every reader to leave, and the reader is the goroutine
// waiting, so Clear hung. Fix: MutexMap got a Clear method that takes the
// write lock once, runs the callback and empties the map, and the resend
// manager's Clear stopped calling Remove from inside the iteration.
type nexPending struct {
	mu      sync.Mutex
	stopped bool
}

func (p *nexPending) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
}

type nexMutexMap struct {
	mu   sync.RWMutex
	real map[uint16]*nexPending
}

func (m *nexMutexMap) Each(cb func(k uint16, v *nexPending)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, v := range m.real {
		cb(k, v)
	}
}

func (m *nexMutexMap) Delete(k uint16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.real, k)
}

// Clear is the fix: one write lock, the callback runs under it and the
// map is emptied here.
func (m *nexMutexMap) Clear(cb func(k uint16, v *nexPending)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.real {
		cb(k, v)
		delete(m.real, k)
	}
}

type nexResendManager struct {
	pending *nexMutexMap
}

func (r *nexResendManager) Remove(k uint16) {
	r.pending.Delete(k)
}

func (r *nexResendManager) Clear() {
	r.pending.Each(func(k uint16, v *nexPending) { // want `r.pending.mu is write-locked inside the function literal \(passed to Each, which calls it holding its locks\) \(line \d+\) while this goroutine holds its read lock \(line 32\)`
		v.stop()
		r.Remove(k)
	})
}

// The fix: the callback only stops the packet, and the map empties itself.
func (r *nexResendManager) ClearFixed() {
	r.pending.Clear(func(k uint16, v *nexPending) {
		v.stop()
	})
}

// A look-alike: a helper that drops its lock before calling back (the
// other fix suggested upstream) runs the callback with nothing held.
func (m *nexMutexMap) EachUnlocked(cb func(k uint16, v *nexPending)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, v := range m.real {
		m.mu.RUnlock()
		cb(k, v)
		m.mu.RLock()
	}
}

func (r *nexResendManager) ClearUnlocked() {
	r.pending.EachUnlocked(func(k uint16, v *nexPending) {
		r.Remove(k)
	})
}

// A look-alike: the callback is started as a goroutine, not called.
func (m *nexMutexMap) EachAsync(cb func(k uint16, v *nexPending)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, v := range m.real {
		go cb(k, v)
	}
}

func (r *nexResendManager) ClearAsync() {
	r.pending.EachAsync(func(k uint16, v *nexPending) {
		r.Remove(k)
	})
}

// A helper that passes its own parameter on: the caller's function still
// runs with the map's lock held, and the helper's own lock too.
type nexServer struct {
	mu      sync.Mutex
	resends *nexResendManager
	n       int
}

func (s *nexServer) eachPending(cb func(k uint16, v *nexPending)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resends.pending.Each(cb)
}

func (s *nexServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *nexServer) Stats() int {
	n := 0
	s.eachPending(func(k uint16, v *nexPending) { // want `s.mu is locked again inside the function literal \(passed to eachPending, which calls it holding its locks\)`
		n += s.count()
	})
	return n
}

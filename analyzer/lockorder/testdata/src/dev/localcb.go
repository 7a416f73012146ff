package dev

import "sync"

// Upstream: pingcap/tidb#40409
//
// A map of domains creates a missing domain while holding its mutex, with
// a constructor that stores an onClose closure calling the map's Delete.
// When the new domain fails to start, the closure handed to the retry
// helper closes it, Close runs onClose, and Delete locks the mutex the
// map's Get still holds. Fix: the half-built domain gets no onClose; the
// callback is set on the domain Get keeps, after the map is updated.
type lcDomain struct {
	onClose func()
	fail    bool
}

func newLcDomain(onClose func()) *lcDomain { return &lcDomain{onClose: onClose} }

func (d *lcDomain) close() {
	if d.onClose != nil {
		d.onClose()
	}
}

func lcRetry(n int, f func() error) (err error) {
	for range n {
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}

type lcMap struct {
	mu      sync.Mutex
	domains map[string]*lcDomain
}

func (m *lcMap) remove(key string) {
	m.mu.Lock()
	delete(m.domains, key)
	m.mu.Unlock()
}

func (m *lcMap) get(key string) (d *lcDomain) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lcRetry(3, func() error { // want `m.mu is locked again inside the function literal \(passed to lcRetry, which calls it holding its locks\)`
		d = newLcDomain(func() { m.remove(key) })
		if d.fail {
			d.close()
		}
		return nil
	})
	m.domains[key] = d
	return d
}

// The fix: the failed domain is built without the callback.
func (m *lcMap) getFixed(key string) (d *lcDomain) {
	m.mu.Lock()
	defer m.mu.Unlock()
	lcRetry(3, func() error {
		d = newLcDomain(nil)
		if d.fail {
			d.close()
		}
		return nil
	})
	d.onClose = func() { m.remove(key) }
	m.domains[key] = d
	return d
}

// A variant: a method value is passed, and the field is called right
// here, not inside a method of the object.
type lcConn struct {
	onDone func(id int)
	id     int
}

func newLcConn(id int, onDone func(int)) *lcConn { return &lcConn{id: id, onDone: onDone} }

type lcServer struct {
	mu    sync.Mutex
	conns map[int]*lcConn
}

func (s *lcServer) forget(id int) {
	s.mu.Lock()
	delete(s.conns, id)
	s.mu.Unlock()
}

func (s *lcServer) reject(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newLcConn(id, s.forget)
	c.onDone(c.id) // want `s.mu is locked again inside s.forget \(the callback passed to newLcConn at line 99\)`
}

// A look-alike: the closure captures another server, whose lock is a
// different mutex of the same class.
func (s *lcServer) handOver(other *lcServer, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := newLcConn(id, func(id int) { other.forget(id) })
	c.onDone(c.id)
}

package kernels

import (
	"errors"
	"sync"
)

// K19. libp2p/go-mplex#39: opening a new stream took the multiplexer's
// lock and, when creating the stream failed, returned the error without
// releasing it; every later stream operation blocked. Fix: release the
// lock on the failure path too.
type k19Multiplex struct {
	mu       sync.Mutex
	nextID   int
	channels map[int]bool
	shutdown bool
}

var k19ErrShutdown = errors.New("session shut down")

func (m *k19Multiplex) NewStream() (int, error) {
	m.mu.Lock()
	if m.shutdown {
		return 0, k19ErrShutdown // want `NewStream returns here with m.mu still locked \(locked at line \d+\), while the return at line \d+ leaves it unlocked`
	}
	id := m.nextID
	m.nextID++
	m.channels[id] = true
	m.mu.Unlock()
	return id, nil
}

// The fix.
type k19MultiplexFixed struct {
	mu       sync.Mutex
	nextID   int
	channels map[int]bool
	shutdown bool
}

func (m *k19MultiplexFixed) NewStream() (int, error) {
	m.mu.Lock()
	if m.shutdown {
		m.mu.Unlock()
		return 0, k19ErrShutdown
	}
	id := m.nextID
	m.nextID++
	m.channels[id] = true
	m.mu.Unlock()
	return id, nil
}

// K20. dusk-network/dusk-blockchain#929: accepting the consensus results
// locked the chain and one exit of the function (a result that failed to
// verify) left it locked; the node stopped logging while every other
// goroutine queued on the chain's mutex. Fix: unlock on that exit.
type k20Chain struct {
	lock   sync.RWMutex
	tip    int
	blocks []int
}

var k20ErrInvalid = errors.New("invalid candidate")

func (c *k20Chain) acceptConsensusResults(candidate int) error {
	c.lock.Lock()
	if candidate <= c.tip {
		return k20ErrInvalid // want `acceptConsensusResults returns here with c.lock still locked`
	}
	c.blocks = append(c.blocks, candidate)
	c.tip = candidate
	c.lock.Unlock()
	return nil
}

func (c *k20Chain) Tip() int {
	c.lock.RLock()
	defer c.lock.RUnlock()
	return c.tip
}

// The fix: a deferred unlock covers every exit.
type k20ChainFixed struct {
	lock   sync.RWMutex
	tip    int
	blocks []int
}

func (c *k20ChainFixed) acceptConsensusResults(candidate int) error {
	c.lock.Lock()
	defer c.lock.Unlock()
	if candidate <= c.tip {
		return k20ErrInvalid
	}
	c.blocks = append(c.blocks, candidate)
	c.tip = candidate
	return nil
}

// K21. flynn/flynn#2591: a discoverd server method locked the server's
// mutex and returned on an error path without unlocking it, so the server
// deadlocked at startup on its next locked call. Fix: unlock on the error
// path.
type k21Server struct {
	mu       sync.Mutex
	services map[string][]string
}

var k21ErrNotFound = errors.New("service not found")

func (s *k21Server) addInstance(service, addr string) error {
	s.mu.Lock()
	insts, ok := s.services[service]
	if !ok {
		return k21ErrNotFound // want `addInstance returns here with s.mu still locked`
	}
	s.services[service] = append(insts, addr)
	s.mu.Unlock()
	return nil
}

// The fix.
type k21ServerFixed struct {
	mu       sync.Mutex
	services map[string][]string
}

func (s *k21ServerFixed) addInstance(service, addr string) error {
	s.mu.Lock()
	insts, ok := s.services[service]
	if !ok {
		s.mu.Unlock()
		return k21ErrNotFound
	}
	s.services[service] = append(insts, addr)
	s.mu.Unlock()
	return nil
}

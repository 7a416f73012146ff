package reach

import (
	"errors"
	"log"
	"sync"
)

type conn struct {
	mu      sync.Mutex
	streams map[int]bool
	closed  bool
}

var errClosed = errors.New("closed")

// The early return leaves c.mu locked.
func (c *conn) open(id int) error {
	c.mu.Lock()
	if c.closed {
		return errClosed // want `open returns here with c.mu still locked \(locked at line \d+\), while the return at line \d+ leaves it unlocked`
	}
	c.streams[id] = true
	c.mu.Unlock()
	return nil
}

var regMu sync.Mutex
var registry = map[string]int{}

// A package variable left locked by the implicit return.
func register(name string, v int) {
	regMu.Lock()
	if _, dup := registry[name]; dup {
		regMu.Unlock()
		return
	}
	registry[name] = v
} // want `register returns here with regMu still locked`

// --- look-alikes that must stay silent ---

// A lock helper: it keeps the lock on success, its callers unlock.
type session struct {
	mu     sync.Mutex
	closed bool
	ids    []int
}

func (c *session) lockOpen() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	return nil
}

func (c *session) add(id int) {
	if c.lockOpen() != nil {
		return
	}
	c.ids = append(c.ids, id)
	c.mu.Unlock()
}

// Unlocked on every return.
func (c *conn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
}

// An exported mutex: other packages may unlock it.
type Pool struct {
	Mu   sync.Mutex
	size int
}

func (p *Pool) Grow(n int) bool {
	p.Mu.Lock()
	if n < 0 {
		return false
	}
	p.size += n
	p.Mu.Unlock()
	return true
}

// The returned function unlocks.
type tx struct {
	mu sync.Mutex
	on bool
}

func (t *tx) begin() func() {
	t.mu.Lock()
	if !t.on {
		t.mu.Unlock()
		return func() {}
	}
	return t.mu.Unlock
}

// A path that ends the program is no return.
type cfg struct {
	mu sync.Mutex
	v  int
}

func (c *cfg) load(v int) {
	c.mu.Lock()
	if v < 0 {
		log.Fatal("bad value")
		return
	}
	c.v = v
	c.mu.Unlock()
}

// A lock and an unlock under the same condition.
type gate struct {
	mu sync.Mutex
	n  int
}

func (g *gate) bump(locked bool) {
	if !locked {
		g.mu.Lock()
	}
	g.n++
	if !locked {
		g.mu.Unlock()
	}
}

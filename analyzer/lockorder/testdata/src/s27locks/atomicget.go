package s27locks

import (
	"errors"
	"sync"
	"sync/atomic"
)

// A ring refreshes under its write lock through the control connection,
// kept in an atomic.Pointer; the connection's error handler (the control
// connection, its only implementation) reconnects in the same goroutine
// and asks the ring, through its back-pointer, for the hosts (RLock).
type errHandler interface {
	handle(c *conn, err error)
}

type conn struct {
	h     errHandler
	query func() error
}

func (c *conn) ask() error {
	if err := c.query(); err != nil {
		c.h.handle(c, err)
		return err
	}
	return nil
}

type ring struct {
	ctl   *control
	mu    sync.RWMutex
	hosts []string
}

type control struct {
	r    *ring
	cur  atomic.Pointer[conn]
	busy atomic.Bool
}

func (c *control) get() *conn { return c.cur.Load() }

func (c *control) handle(cn *conn, err error) {
	if c.get() != cn {
		return
	}
	c.reconnect()
}

func (c *control) reconnect() {
	_ = c.r.list()
}

func (c *control) handleAsync(cn *conn, err error) {
	go c.reconnect()
}

func (r *ring) list() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.hosts...)
}

func (r *ring) refresh() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cn := r.ctl.get()
	if cn == nil {
		return errors.New("no connection")
	}
	return cn.ask() // want `r.ctl.get\(\).h.r.mu is locked inside r.ctl.get\(\).ask \(line \d+\) while this goroutine holds r.mu \(locked at line \d+\), by lock class s27locks.ring.mu: the path goes back to the owner through the back-pointer s27locks.control.r`
}

// Look-alike: the same refresh loading the connection straight from the
// atomic field, with the lock dropped before the query.
func (r *ring) refreshUnlocked() error {
	r.mu.Lock()
	cn := r.ctl.cur.Load()
	r.mu.Unlock()
	if cn == nil {
		return errors.New("no connection")
	}
	return cn.ask()
}

func newRing() *ring {
	c := &control{}
	c.r = &ring{ctl: c}
	return c.r
}

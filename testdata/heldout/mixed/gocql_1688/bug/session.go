// Package bug is a held-out kernel (issue 14): gocql's Session.Close holds
// sessionStateMu (deferred Unlock) for the whole close, and closing the
// control connection sends on its unbuffered quit channel, which only the
// control connection's heartBeat goroutine receives. When the heartbeat
// has lost its connection and is reconnecting, the reconnect asks the
// session whether it is initialized, which takes sessionStateMu.RLock:
// heartBeat waits for the lock Close holds, and Close waits in the send
// for heartBeat to come back to its select. Neither returns.
//
// Upstream: apache/cassandra-gocql-driver#1688 ("Fix a deadlock in Session.Close() during control connection reconnect", fixes gocql/gocql#1687)
// Round: 16
//
// Bug: Session (sessionStateMu, isClosed, isInitialized), Close, Closed,
// initialized, and controlConn's heartBeat loop, reconnect and close with
// its quit send follow session.go and control.go before the PR; the issue
// shows Close parked in the send in controlConn.close. Which session call
// the reconnect path makes under the read lock (here initialized, before
// refreshing the ring) is our reduction; frames, hosts and the pool are
// reduced to a Conn interface.
//
// Fix: Close holds sessionStateMu only to check and mark that closing has
// started (a new flag), closes the pool and the control
// connection unlocked, and sets isClosed under the lock at the end.
package bug

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is one connection to a Cassandra node.
type Conn interface {
	Options() error
	Close()
}

// Dialer opens a connection to some host.
type Dialer func() (Conn, error)

type controlConn struct {
	started int32
	session *Session
	dial    Dialer
	conn    atomic.Value // Conn

	quit chan struct{}
}

func createControlConn(session *Session, dial Dialer) *controlConn {
	return &controlConn{session: session, dial: dial, quit: make(chan struct{})}
}

func (c *controlConn) getConn() Conn {
	conn, _ := c.conn.Load().(Conn)
	return conn
}

func (c *controlConn) connect() error {
	conn, err := c.dial()
	if err != nil {
		return err
	}
	c.conn.Store(conn)
	if atomic.CompareAndSwapInt32(&c.started, 0, 1) {
		go c.heartBeat()
	}
	return nil
}

func (c *controlConn) heartBeat() {
	sleepTime := time.Millisecond
	timer := time.NewTimer(sleepTime)
	defer timer.Stop()
	for {
		timer.Reset(sleepTime)
		select {
		case <-c.quit:
			return
		case <-timer.C:
		}
		conn := c.getConn()
		if conn == nil || conn.Options() != nil {
			c.reconnect()
		}
	}
}

func (c *controlConn) reconnect() {
	conn, err := c.dial()
	if err != nil {
		return
	}
	if old := c.getConn(); old != nil {
		old.Close()
	}
	c.conn.Store(conn)
	if c.session.initialized() { // heldout:site
		c.session.refreshRing()
	}
}

func (c *controlConn) close() {
	if atomic.CompareAndSwapInt32(&c.started, 1, -1) {
		c.quit <- struct{}{} // heldout:site
	}
	if conn := c.getConn(); conn != nil {
		conn.Close()
	}
}

// Session is a pool of connections to a cluster.
type Session struct {
	sessionStateMu sync.RWMutex
	isInitialized  bool
	isClosed       bool

	control *controlConn
	hosts   []string
}

// NewSession connects the control connection.
func NewSession(dial Dialer) (*Session, error) {
	s := &Session{}
	s.control = createControlConn(s, dial)
	if err := s.control.connect(); err != nil {
		return nil, err
	}
	s.sessionStateMu.Lock()
	s.isInitialized = true
	s.sessionStateMu.Unlock()
	return s, nil
}

func (s *Session) initialized() bool {
	s.sessionStateMu.RLock()
	initialized := s.isInitialized
	s.sessionStateMu.RUnlock()
	return initialized
}

func (s *Session) refreshRing() {
	s.hosts = append(s.hosts[:0], "127.0.0.1")
}

// Close closes all connections. It is safe to call more than once.
func (s *Session) Close() {
	s.sessionStateMu.Lock()
	defer s.sessionStateMu.Unlock()
	if s.isClosed {
		return
	}
	s.isClosed = true

	if s.control != nil {
		s.control.close() // heldout:site
	}
}

// Closed says whether Close has finished.
func (s *Session) Closed() bool {
	s.sessionStateMu.RLock()
	closed := s.isClosed
	s.sessionStateMu.RUnlock()
	return closed
}

type flakyConn struct{ broken atomic.Bool }

func (c *flakyConn) Options() error {
	if c.broken.Load() {
		return errors.New("connection reset")
	}
	return nil
}

func (c *flakyConn) Close() { c.broken.Store(true) }

// Shutdown drops the control connection and closes the session while the
// heartbeat reconnects.
func Shutdown() bool {
	first := &flakyConn{}
	dials := 0
	s, err := NewSession(func() (Conn, error) {
		dials++
		if dials == 1 {
			return first, nil
		}
		return &flakyConn{}, nil
	})
	if err != nil {
		return false
	}
	first.Close()
	s.Close()
	return s.Closed()
}

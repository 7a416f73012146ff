// Package fixed is the fixed version of mixed/gocql_1688: Close holds
// sessionStateMu only to mark that closing has started and, at the end, to
// set isClosed; the control connection's quit send runs unlocked, so the
// reconnecting heartbeat can take the read lock and come back to receive it.
package fixed

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
	if c.session.initialized() {
		c.session.refreshRing()
	}
}

func (c *controlConn) close() {
	if atomic.CompareAndSwapInt32(&c.started, 1, -1) {
		c.quit <- struct{}{}
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
	isClosing      bool // Close has started

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
	if s.isClosing {
		s.sessionStateMu.Unlock()
		return
	}
	s.isClosing = true
	s.sessionStateMu.Unlock()

	if s.control != nil {
		s.control.close()
	}

	s.sessionStateMu.Lock()
	s.isClosed = true
	s.sessionStateMu.Unlock()
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

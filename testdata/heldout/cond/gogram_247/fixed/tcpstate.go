// Package fixed is a held-out kernel (issue 14): gogram's MTProto client
// waits for its TCP connection to come back through a TcpState built on
// a sync.Cond. WaitForActive takes a context but can only look at it
// before it parks in cond.Wait; once parked, only SetActive(true) wakes
// it. When the client is terminated while a request waits for the
// reconnect, nothing ever sets the state active again, the request's
// deadline passes unseen, and the caller waits for ever.
//
// Upstream: AmarnathCJD/gogram#247 ("refactor(tcpstate): replace sync.Cond with channel-based signaling to support context cancellation")
// Round: 14
//
// Bug: the PR: "WaitForActive() could cause deadlocks because sync.Cond
// did not handle context cancellation properly", fixed by "a
// channel-based broadcast mechanism, which naturally supports context
// cancellation and avoids goroutine leaks". TcpState's fields and
// methods (SetActive, WaitForActive, and the GetActive the PR adds)
// follow mtproto.go; the cond-based body of the old WaitForActive, the
// MTProto send path and the reconnect/terminate paths are our reduction.
//
// Fix: TcpState keeps a channel that SetActive(true) closes and
// SetActive(false) replaces; WaitForActive selects on it and ctx.Done().
package fixed

import (
	"context"
	"errors"
	"sync"
	"time"
)

// TcpState says whether the connection is up. When it comes up, every
// goroutine in WaitForActive is released by closing ch; when it goes
// down, a new channel is made for the next round of waits.
type TcpState struct {
	mu     sync.RWMutex
	active bool
	ch     chan struct{}
}

// NewTcpState returns an inactive state.
func NewTcpState() *TcpState {
	return &TcpState{ch: make(chan struct{})}
}

// GetActive reports whether the connection is up.
func (m *TcpState) GetActive() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.active
}

// SetActive records the connection's state.
func (m *TcpState) SetActive(active bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active == active {
		return
	}
	m.active = active
	if active {
		close(m.ch)
	} else {
		m.ch = make(chan struct{})
	}
}

// WaitForActive blocks until the connection is up or ctx is done.
func (m *TcpState) WaitForActive(ctx context.Context) error {
	m.mu.RLock()
	if m.active {
		m.mu.RUnlock()
		return nil
	}
	ch := m.ch
	m.mu.RUnlock()

	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Conn is the transport to a data centre.
type Conn interface {
	Write(b []byte) error
	Close() error
}

// MTProto is one client session.
type MTProto struct {
	tcpState *TcpState

	connMu     sync.Mutex
	conn       Conn
	terminated bool
}

var errTerminated = errors.New("client terminated")

// sendPacket writes one request, waiting up to timeout for a reconnect.
func (m *MTProto) sendPacket(b []byte, timeout time.Duration) error {
	if !m.tcpState.GetActive() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := m.tcpState.WaitForActive(ctx); err != nil {
			return err
		}
	}
	m.connMu.Lock()
	defer m.connMu.Unlock()
	if m.terminated || m.conn == nil {
		return errTerminated
	}
	return m.conn.Write(b)
}

// connLost marks the connection down until reconnect brings it up.
func (m *MTProto) connLost() {
	m.tcpState.SetActive(false)
}

// reconnect dials again and marks the connection up.
func (m *MTProto) reconnect(dial func() (Conn, error)) error {
	c, err := dial()
	if err != nil {
		return err
	}
	m.connMu.Lock()
	if m.terminated {
		m.connMu.Unlock()
		return c.Close()
	}
	m.conn = c
	m.connMu.Unlock()
	m.tcpState.SetActive(true)
	return nil
}

// Terminate closes the client for good: the state stays inactive.
func (m *MTProto) Terminate() error {
	m.connMu.Lock()
	defer m.connMu.Unlock()
	m.terminated = true
	if m.conn == nil {
		return nil
	}
	err := m.conn.Close()
	m.conn = nil
	return err
}

type nopConn struct{}

func (nopConn) Write([]byte) error { return nil }
func (nopConn) Close() error       { return nil }

// SendWhileTerminating loses the connection, sends a request that waits
// for the reconnect, and terminates the client.
func SendWhileTerminating() error {
	m := &MTProto{tcpState: NewTcpState(), conn: nopConn{}}
	m.tcpState.SetActive(true)
	m.connLost()
	errc := make(chan error, 1)
	go func() {
		errc <- m.sendPacket([]byte("ping"), 50*time.Millisecond)
	}()
	_ = m.Terminate()
	return <-errc
}

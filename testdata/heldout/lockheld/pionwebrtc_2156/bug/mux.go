// Package bug is a held-out kernel (issue 14): the WebRTC transport
// multiplexer, whose Close returns early, with the mux's lock held, when
// closing one of its endpoints fails, so the read loop's next dispatch and
// every later endpoint change block on the lock.
//
// Upstream: pion/webrtc#2156 ("Unlock on error in internal/mux")
// Round: 12
//
// Bug: Mux.Close takes m.lock and closes every endpoint; if an endpoint's
// close returns an error (its buffer was already closed), Close returns
// the error straight out of the loop without m.lock.Unlock. It also never
// closes the underlying conn, so the read loop keeps reading packets, and
// dispatch blocks on m.lock; so does anyone removing an endpoint afterwards
// (issue #2154; LiveKit saw it as a hang when a client reconnected over a
// poor connection).
//
// Fix: unlock before returning the error. The ICE conn is reduced to a
// net.Conn, and packetio.Buffer to a small channel-backed buffer whose
// Close fails when it is already closed.
package bug

import (
	"errors"
	"io"
	"log"
	"net"
	"sync"
)

var (
	errBufferClosed = errors.New("buffer: closed")
	errBufferFull   = errors.New("buffer: full")
)

// buffer holds packets for an endpoint.
type buffer struct {
	mu     sync.Mutex
	ch     chan []byte
	closed bool
}

func newBuffer(size int) *buffer { return &buffer{ch: make(chan []byte, size)} }

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBufferClosed
	}
	select {
	case b.ch <- append([]byte(nil), p...):
		return len(p), nil
	default:
		return 0, errBufferFull
	}
}

func (b *buffer) Read(p []byte) (int, error) {
	pkt, ok := <-b.ch
	if !ok {
		return 0, io.EOF
	}
	return copy(p, pkt), nil
}

func (b *buffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errBufferClosed
	}
	b.closed = true
	close(b.ch)
	return nil
}

// MatchFunc says whether a packet belongs to an endpoint.
type MatchFunc func([]byte) bool

// Endpoint is one protocol's view of the mux (DTLS, SRTP, SRTCP).
type Endpoint struct {
	mux    *Mux
	buffer *buffer
}

func (e *Endpoint) close() error { return e.buffer.Close() }

// Close unregisters the endpoint and closes its buffer.
func (e *Endpoint) Close() error {
	err := e.close()
	e.mux.RemoveEndpoint(e)
	return err
}

// Read reads a packet.
func (e *Endpoint) Read(p []byte) (int, error) { return e.buffer.Read(p) }

// Mux multiplexes packets read from one conn to its endpoints.
type Mux struct {
	lock       sync.RWMutex
	nextConn   net.Conn
	endpoints  map[*Endpoint]MatchFunc
	bufferSize int
	closedCh   chan struct{}
}

// NewMux starts reading conn.
func NewMux(conn net.Conn, bufferSize int) *Mux {
	m := &Mux{
		nextConn:   conn,
		endpoints:  map[*Endpoint]MatchFunc{},
		bufferSize: bufferSize,
		closedCh:   make(chan struct{}),
	}
	go m.readLoop()
	return m
}

// NewEndpoint registers an endpoint for the packets f matches.
func (m *Mux) NewEndpoint(f MatchFunc) *Endpoint {
	e := &Endpoint{mux: m, buffer: newBuffer(64)}
	m.lock.Lock()
	m.endpoints[e] = f
	m.lock.Unlock()
	return e
}

// RemoveEndpoint unregisters an endpoint.
func (m *Mux) RemoveEndpoint(e *Endpoint) {
	m.lock.Lock() // heldout:site
	defer m.lock.Unlock()
	delete(m.endpoints, e)
}

// Close closes the endpoints and the conn, and waits for the read loop.
func (m *Mux) Close() error {
	m.lock.Lock()
	for e := range m.endpoints {
		if err := e.close(); err != nil {
			return err // heldout:site
		}
		delete(m.endpoints, e)
	}
	m.lock.Unlock()

	if err := m.nextConn.Close(); err != nil {
		return err
	}
	<-m.closedCh
	return nil
}

func (m *Mux) readLoop() {
	defer close(m.closedCh)
	buf := make([]byte, m.bufferSize)
	for {
		n, err := m.nextConn.Read(buf)
		if err != nil {
			return
		}
		if err := m.dispatch(buf[:n]); err != nil {
			return
		}
	}
}

func (m *Mux) dispatch(buf []byte) error {
	var endpoint *Endpoint

	m.lock.Lock() // heldout:site
	for e, f := range m.endpoints {
		if f(buf) {
			endpoint = e
			break
		}
	}
	m.lock.Unlock()

	if endpoint == nil {
		if len(buf) > 0 {
			log.Printf("mux: no endpoint for packet starting with %d", buf[0])
		}
		return nil
	}
	if _, err := endpoint.buffer.Write(buf); err != nil && !errors.Is(err, errBufferFull) {
		return err
	}
	return nil
}

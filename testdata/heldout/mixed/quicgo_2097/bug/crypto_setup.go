// Package bug is a held-out kernel (issue 14): quic-go's TLS 1.3
// cryptoSetup, whose Close holds the setup's mutex while it waits for the
// goroutine running qtls' Handshake to finish (handshakeDone). That
// goroutine is inside Handshake, and Handshake writes its records through
// the setup's WriteRecord callback, which takes the same mutex: the
// handshake can never return, and Close waits for ever.
//
// Upstream: quic-go/quic-go#2097 ("Close/handshake deadlock")
// Round: 14
//
// Bug: the issue: "cryptoSetup.Close holds cryptoSetup.mutex while
// waiting on handshakeDone. cryptoSetup.RunHandshake doesn't close
// handshakeDone till h.conn.Handshake() returns. h.conn.Handshake()
// calls cryptoSetup.WriteRecord. cryptoSetup.WriteRecord tries to take
// cryptoSetup.mutex." cryptoSetup (mutex, closed, closeChan, messageChan,
// handshakeDone, write encryption level), RunHandshake, Close,
// WriteRecord and ReadHandshakeMessage follow internal/handshake of the
// time; qtls.Conn is reduced to an interface and a fake client that
// writes its ClientHello and waits for the ServerHello, and the streams
// to a byte counter.
//
// Fix (#2098): Close no longer takes the mutex, which "only held the
// mutex to protect against concurrent calls of Close()"; closing the
// crypto setup twice is documented as not allowed.
package bug

import (
	"errors"
	"sync"
)

// EncryptionLevel is a QUIC encryption level.
type EncryptionLevel uint8

// Encryption levels.
const (
	EncryptionInitial EncryptionLevel = 1 + iota
	EncryptionHandshake
	Encryption1RTT
)

// tlsConn is the part of qtls.Conn the crypto setup drives.
type tlsConn interface {
	Handshake() error
}

// recordLayer is what qtls calls back into to move handshake messages.
type recordLayer interface {
	WriteRecord(p []byte) (int, error)
	ReadHandshakeMessage() ([]byte, error)
}

var errClosed = errors.New("crypto setup closed")

// cryptoSetup runs the TLS handshake of one QUIC connection.
type cryptoSetup struct {
	conn tlsConn

	messageChan   chan []byte
	handshakeDone chan struct{}
	closeChan     chan struct{}

	mutex         sync.Mutex // protects all members below
	closed        bool
	writeEncLevel EncryptionLevel
	initialBytes  int
	hsBytes       int
}

func newCryptoSetup(newConn func(recordLayer) tlsConn) *cryptoSetup {
	h := &cryptoSetup{
		messageChan:   make(chan []byte),
		handshakeDone: make(chan struct{}),
		closeChan:     make(chan struct{}),
		writeEncLevel: EncryptionInitial,
	}
	h.conn = newConn(h)
	return h
}

// RunHandshake runs qtls' Handshake until it completes or the setup is
// closed.
func (h *cryptoSetup) RunHandshake() error {
	handshakeComplete := make(chan struct{})
	handshakeErrChan := make(chan error, 1)
	go func() {
		defer close(h.handshakeDone)
		if err := h.conn.Handshake(); err != nil { // heldout:site
			handshakeErrChan <- err
			return
		}
		close(handshakeComplete)
	}()

	select {
	case <-handshakeComplete:
		return nil
	case err := <-handshakeErrChan:
		return err
	case <-h.closeChan:
		close(h.messageChan)
		// wait until the Handshake() go routine has returned
		<-h.handshakeDone
		return errClosed
	}
}

// Close stops the handshake and waits for qtls to return.
func (h *cryptoSetup) Close() error {
	h.mutex.Lock() // heldout:site
	defer h.mutex.Unlock()

	if h.closed {
		return nil
	}
	h.closed = true

	close(h.closeChan)
	// wait until qtls.Handshake() actually returned
	<-h.handshakeDone // heldout:site
	return nil
}

// WriteRecord is called when TLS writes data.
func (h *cryptoSetup) WriteRecord(p []byte) (int, error) {
	h.mutex.Lock() // heldout:site
	defer h.mutex.Unlock()

	switch h.writeEncLevel {
	case EncryptionInitial:
		h.initialBytes += len(p)
	case EncryptionHandshake:
		h.hsBytes += len(p)
	default:
		return 0, errors.New("unexpected write encryption level")
	}
	return len(p), nil
}

// ReadHandshakeMessage is called by TLS to read the next handshake
// message.
func (h *cryptoSetup) ReadHandshakeMessage() ([]byte, error) {
	msg, ok := <-h.messageChan
	if !ok {
		return nil, errClosed
	}
	return msg, nil
}

// clientConn is qtls' client side reduced to its first flight.
type clientConn struct {
	rl recordLayer
}

func (c *clientConn) Handshake() error {
	if _, err := c.rl.WriteRecord([]byte("ClientHello")); err != nil {
		return err
	}
	// Wait for the ServerHello.
	_, err := c.rl.ReadHandshakeMessage()
	return err
}

// DialAndCancel starts a handshake and closes the connection while the
// ClientHello is being written (a dial whose context is cancelled).
func DialAndCancel() {
	h := newCryptoSetup(func(rl recordLayer) tlsConn { return &clientConn{rl: rl} })
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.RunHandshake()
	}()
	_ = h.Close()
	<-done
}

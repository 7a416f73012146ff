// Package bug is a development kernel (issue 14): a DTLS connection keeps
// its "closed" signal as a context with its cancel func in a field; when
// the handshake fails, the constructor returns the error without closing
// the connection, and the read loop, parked handing decrypted data to a
// reader that will never come, waits for that context for ever.
//
// Upstream: pion/dtls#416 ("Fix goroutine leak")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper ctx to tune the analyzers; not a blind measure)
//
// Bug: createConn makes the Conn (decrypted is a one-slot channel, closed is
// upstream's closer: a context.WithCancel whose cancel is its Close) and
// runs the handshake, which starts the flight state machine and the read
// loop. The read loop hands application data to Read through
// `select { case c.decrypted <- data: case <-c.closed.Done(): }`. When the
// handshake fails (the state machine reports an error first, or the
// caller's ctx expires), handshake cancels the reader's context and
// returns, and createConn returns (nil, err) without calling c.close, the
// only place closed.Close is called. A read loop already past ReadContext
// with a second datagram of application data is parked in that select for
// ever: the PR's stack is "(*Conn).handleIncomingPacket ... selectgo ...
// (*Conn).readAndBuffer ... handshake.func3". The record layer is reduced
// to one content-type byte and the state machine to an interface.
//
// Fix: createConn calls c.close(false) when the handshake fails, and
// handleIncomingPacket also gives up when the read loop's own context is
// done.
package bug

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

const (
	contentTypeAlert           = 21
	contentTypeHandshake       = 22
	contentTypeApplicationData = 23
	inboundBufferSize          = 8192
)

var errHandshakeInProgress = errors.New("dtls: handshake is in progress")

// closer is a one-shot signal built on a context, closed by Close.
type closer struct {
	ctx       context.Context
	closeFunc context.CancelFunc
}

func newCloser() *closer {
	ctx, cancel := context.WithCancel(context.Background())
	return &closer{ctx: ctx, closeFunc: cancel}
}

// Close signals Done.
func (c *closer) Close() { c.closeFunc() }

// Done is closed once Close has been called.
func (c *closer) Done() <-chan struct{} { return c.ctx.Done() }

// PacketConn is the datagram connection under DTLS.
type PacketConn interface {
	ReadContext(ctx context.Context, b []byte) (int, error)
	Write(b []byte) (int, error)
	Close() error
}

// FlightConn is what the handshake state machine sees of the connection.
type FlightConn interface {
	// RecvHandshake delivers a done channel per incoming handshake record;
	// the machine closes it once the record is handled.
	RecvHandshake() <-chan chan struct{}
	WriteRecord(ctx context.Context, content []byte) error
	// HandshakeFinished is called once, when the last flight is done.
	HandshakeFinished()
}

// HandshakeFSM runs the flights, and keeps answering retransmissions
// until ctx is done.
type HandshakeFSM interface {
	Run(ctx context.Context, c FlightConn) error
	// Done is closed when Run has returned.
	Done() <-chan struct{}
}

// Config configures a connection.
type Config struct {
	NewFSM func() HandshakeFSM
}

// Conn is a DTLS connection.
type Conn struct {
	nextConn      PacketConn
	fsm           HandshakeFSM
	decrypted     chan interface{} // application data or error for Read
	handshakeRecv chan chan struct{}
	handshakeDone chan struct{}
	completed     atomic.Bool

	closeLock sync.Mutex
	closed    *closer

	cancelHandshaker       func()
	cancelHandshakeReader  func()
	handshakeLoopsFinished sync.WaitGroup
}

func createConn(ctx context.Context, nextConn PacketConn, config *Config) (*Conn, error) {
	c := &Conn{
		nextConn:              nextConn,
		decrypted:             make(chan interface{}, 1),
		handshakeRecv:         make(chan chan struct{}),
		handshakeDone:         make(chan struct{}),
		closed:                newCloser(),
		cancelHandshaker:      func() {},
		cancelHandshakeReader: func() {},
	}
	if err := c.handshake(ctx, config); err != nil {
		return nil, err // heldout:site
	}
	return c, nil
}

// Client runs the client side of a handshake over conn.
func Client(ctx context.Context, conn PacketConn, config *Config) (*Conn, error) {
	return createConn(ctx, conn, config)
}

// RecvHandshake implements FlightConn.
func (c *Conn) RecvHandshake() <-chan chan struct{} { return c.handshakeRecv }

// WriteRecord implements FlightConn.
func (c *Conn) WriteRecord(ctx context.Context, content []byte) error {
	_, err := c.nextConn.Write(content)
	return err
}

// HandshakeFinished implements FlightConn.
func (c *Conn) HandshakeFinished() {
	if c.completed.CompareAndSwap(false, true) {
		close(c.handshakeDone)
	}
}

func (c *Conn) handshake(ctx context.Context, config *Config) error {
	c.fsm = config.NewFSM()
	ctxRead, cancelRead := context.WithCancel(context.Background())
	c.cancelHandshakeReader = cancelRead
	ctxHs, cancel := context.WithCancel(context.Background())
	c.cancelHandshaker = cancel
	firstErr := make(chan error, 1)

	c.handshakeLoopsFinished.Add(2)
	go func() {
		defer c.handshakeLoopsFinished.Done()
		err := c.fsm.Run(ctxHs, c)
		if !errors.Is(err, context.Canceled) {
			select {
			case firstErr <- err:
			default:
			}
		}
	}()
	go func() {
		defer func() {
			close(c.decrypted)
			cancel()
		}()
		defer c.handshakeLoopsFinished.Done()
		for {
			err := c.readAndBuffer(ctxRead)
			if err == nil {
				continue
			}
			if c.completed.Load() && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
				select {
				case c.decrypted <- err:
				case <-c.closed.Done():
				}
				continue
			}
			select {
			case firstErr <- err:
			default:
			}
			return
		}
	}()

	select {
	case err := <-firstErr:
		cancelRead()
		cancel()
		return err
	case <-ctx.Done():
		cancelRead()
		cancel()
		return ctx.Err()
	case <-c.handshakeDone:
		return nil
	}
}

func (c *Conn) readAndBuffer(ctx context.Context) error {
	b := make([]byte, inboundBufferSize)
	n, err := c.nextConn.ReadContext(ctx, b)
	if err != nil {
		return err
	}
	hasHandshake, err := c.handleIncomingPacket(b[:n])
	if err != nil {
		return err
	}
	if hasHandshake {
		done := make(chan struct{})
		select {
		case c.handshakeRecv <- done:
			<-done
		case <-c.fsm.Done():
		}
	}
	return nil
}

func (c *Conn) handleIncomingPacket(buf []byte) (bool, error) {
	if len(buf) == 0 {
		return false, nil // broken records are dropped silently
	}
	switch buf[0] {
	case contentTypeHandshake:
		return true, nil
	case contentTypeAlert:
		return false, io.EOF
	case contentTypeApplicationData:
		data := append([]byte(nil), buf[1:]...)
		select { // heldout:site
		case c.decrypted <- data:
		case <-c.closed.Done():
		}
	}
	return false, nil
}

// Read reads application data.
func (c *Conn) Read(p []byte) (int, error) {
	if !c.completed.Load() {
		return 0, errHandshakeInProgress
	}
	select {
	case out, ok := <-c.decrypted:
		if !ok {
			return 0, io.EOF
		}
		switch v := out.(type) {
		case []byte:
			return copy(p, v), nil
		case error:
			return 0, v
		}
		return 0, nil
	case <-c.closed.Done():
		return 0, net.ErrClosed
	}
}

// Close closes the connection and waits for its loops.
func (c *Conn) Close() error {
	return c.close(true)
}

func (c *Conn) close(byUser bool) error {
	c.cancelHandshaker()
	c.cancelHandshakeReader()
	c.closeLock.Lock()
	c.closed.Close()
	c.closeLock.Unlock()
	err := c.nextConn.Close()
	c.handshakeLoopsFinished.Wait()
	return err
}

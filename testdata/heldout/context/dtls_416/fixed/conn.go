// Package fixed is the fixed version of context/dtls_416: createConn closes
// the connection when the handshake fails, which closes the closer the read
// loop waits on, and the read loop's hand-off also gives up when its own
// context is cancelled.
package fixed

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
		_ = c.close(false)
		return nil, err
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
	hasHandshake, err := c.handleIncomingPacket(ctx, b[:n])
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

func (c *Conn) handleIncomingPacket(ctx context.Context, buf []byte) (bool, error) {
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
		select {
		case c.decrypted <- data:
		case <-ctx.Done():
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

// Package bug is a held-out kernel (issue 14): a QUIC transport and its
// server closing each other. Transport.close holds the transport mutex
// while it closes the server, which runs the server's sync.Once; a
// Listener.Close already inside that Once notifies the transport
// (closeServer), which takes the transport mutex. Each goroutine holds
// what the other needs: the Once's internal lock and the transport mutex.
//
// Upstream: quic-go/quic-go#4266 ("deadlock when closing transport and/or server")
// Round: 13
//
// Bug: baseServer.close runs its body in s.closeOnce.Do: it records the
// error, closes errorChan, waits for the run loop to return and, when
// asked to (Listener.Close), calls onClose, the transport's closeServer,
// which locks t.mutex to forget the server. Transport.close locks t.mutex
// with a deferred unlock and calls t.server.close(e, false). When the
// application closes the listener and the transport at the same time, the
// listener's goroutine is inside the Once waiting for t.mutex and the
// transport's goroutine holds t.mutex waiting in closeOnce.Do (sync.Once
// makes a concurrent Do wait for the running one). The two stacks
// show exactly these frames. Packet handling is reduced to the server's
// run loop draining a queue.
//
// Fix: Transport.close takes the server out of the transport under the
// mutex and closes it after releasing the mutex (the shape the transport
// has had since; the PR's exact diff is our reading of the thread).
package bug

import (
	"errors"
	"sync"
)

// ErrServerClosed is returned by a closed listener.
var ErrServerClosed = errors.New("quic: server closed")

type receivedPacket struct {
	data []byte
}

// baseServer accepts connections for one transport.
type baseServer struct {
	closeOnce sync.Once
	closeErr  error
	errorChan chan struct{} // closed when the server is closed
	running   chan struct{} // closed when the run loop returns

	receivedPackets chan receivedPacket
	onClose         func()

	mu      sync.Mutex
	handled int
}

func newServer(onClose func()) *baseServer {
	s := &baseServer{
		errorChan:       make(chan struct{}),
		running:         make(chan struct{}),
		receivedPackets: make(chan receivedPacket, 16),
		onClose:         onClose,
	}
	go s.run()
	return s
}

func (s *baseServer) run() {
	defer close(s.running)
	for {
		select {
		case <-s.errorChan:
			return
		case p := <-s.receivedPackets:
			s.mu.Lock()
			s.handled += len(p.data)
			s.mu.Unlock()
		}
	}
}

func (s *baseServer) handlePacket(p receivedPacket) {
	select {
	case s.receivedPackets <- p:
	default:
	}
}

func (s *baseServer) close(e error, notifyOnClose bool) {
	s.closeOnce.Do(func() { // heldout:site
		s.closeErr = e
		close(s.errorChan)

		<-s.running
		if notifyOnClose {
			s.onClose() // heldout:site
		}
	})
}

// Listener is what Transport.Listen returns.
type Listener struct {
	baseServer *baseServer
}

// Close closes the listener and tells the transport.
func (l *Listener) Close() error {
	l.baseServer.close(ErrServerClosed, true)
	return nil
}

// Transport multiplexes connections and at most one server on a socket.
type Transport struct {
	mutex       sync.Mutex
	server      *baseServer
	closed      bool
	isSingleUse bool
}

// Listen starts the transport's server.
func (t *Transport) Listen() (*Listener, error) {
	t.mutex.Lock()
	defer t.mutex.Unlock()
	if t.closed {
		return nil, errors.New("transport closed")
	}
	if t.server != nil {
		return nil, errors.New("transport already has a server")
	}
	t.server = newServer(t.closeServer)
	return &Listener{baseServer: t.server}, nil
}

// handlePacket routes a packet to the server.
func (t *Transport) handlePacket(p receivedPacket) {
	t.mutex.Lock()
	s := t.server
	t.mutex.Unlock()
	if s != nil {
		s.handlePacket(p)
	}
}

// Close closes the transport and its server.
func (t *Transport) Close() error {
	t.close(errors.New("closing"))
	return nil
}

func (t *Transport) closeServer() {
	t.mutex.Lock() // heldout:site
	t.server = nil
	if t.isSingleUse {
		t.closed = true
	}
	t.mutex.Unlock()
}

func (t *Transport) close(e error) {
	t.mutex.Lock() // heldout:site
	defer t.mutex.Unlock()
	if t.closed {
		return
	}
	if t.server != nil {
		t.server.close(e, false) // heldout:site
	}
	t.closed = true
}

// closeBoth is an application shutting down its listener and its
// transport from two goroutines.
func closeBoth() {
	t := &Transport{}
	ln, err := t.Listen()
	if err != nil {
		return
	}
	t.handlePacket(receivedPacket{data: []byte{0xc0}})

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		ln.Close()
	}()
	go func() {
		defer wg.Done()
		t.Close()
	}()
	wg.Wait()
}

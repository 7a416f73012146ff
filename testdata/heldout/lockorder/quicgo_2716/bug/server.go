// Package bug is a held-out kernel (issue 14): quic-go's packetHandlerMap
// and baseServer each have a mutex and call into each other under it.
// When the UDP connection fails, packetHandlerMap.close holds the map's
// mutex and tells the server (setCloseError, which takes the server's
// mutex); when the application closes the server, baseServer.Close holds
// the server's mutex and calls sessionHandler.CloseServer (which takes
// the map's mutex). Both at once and each waits for the other for ever.
//
// Upstream: quic-go/quic-go#2716 ("A possible deadlock: conflicting lock order between packetHandlerMap and baseServer")
// Round: 14
//
// Bug: the issue gives both orders: "In packetHandlerMap.close(): Lock1
// h.mutex.Lock() is called before h.server.setCloseError(e)" and "In
// baseServer.Close(): Lock2 s.mutex.Lock() is called before
// s.sessionHandler.CloseServer()". packetHandlerMap (mutex, handlers,
// server, closed, listen, close, CloseServer, SetServer), the
// unknownPacketHandler and sessionHandler interfaces and baseServer
// (mutex, closed, serverError, errorChan, Close, closeWithMutex,
// setCloseError) follow packet_handler_map.go and server.go of the time;
// sessions and the packet conn are reduced to small types.
//
// Fix (#2849, "fix deadlock when closing the server and the connection
// at the same time"): baseServer.Close marks itself closed under its
// mutex and calls CloseServer after releasing it; that the fix has this
// shape is our reading of the PR title.
package bug

import (
	"errors"
	"sync"
)

// packetHandler is a session registered with the map.
type packetHandler interface {
	destroy(error)
	shutdown()
	isServer() bool
}

// unknownPacketHandler is the server, as the map sees it.
type unknownPacketHandler interface {
	setCloseError(error)
}

// sessionHandler is the map, as the server sees it.
type sessionHandler interface {
	SetServer(unknownPacketHandler)
	CloseServer()
	Destroy() error
}

// packetConn is the UDP socket.
type packetConn interface {
	ReadPacket() ([]byte, error)
	Close() error
}

// packetHandlerMap dispatches the packets of one UDP socket.
type packetHandlerMap struct {
	mutex sync.Mutex

	conn      packetConn
	handlers  map[string]packetHandler
	server    unknownPacketHandler
	listening chan struct{}
	closed    bool
}

func newPacketHandlerMap(conn packetConn) *packetHandlerMap {
	h := &packetHandlerMap{
		conn:      conn,
		handlers:  make(map[string]packetHandler),
		listening: make(chan struct{}),
	}
	go h.listen()
	return h
}

func (h *packetHandlerMap) SetServer(s unknownPacketHandler) {
	h.mutex.Lock()
	h.server = s
	h.mutex.Unlock()
}

// CloseServer stops the server's sessions and forgets the server.
func (h *packetHandlerMap) CloseServer() {
	h.mutex.Lock() // heldout:site
	if h.server == nil {
		h.mutex.Unlock()
		return
	}
	h.server = nil
	var wg sync.WaitGroup
	for _, handler := range h.handlers {
		if handler.isServer() {
			wg.Add(1)
			go func(handler packetHandler) {
				// blocks until the CONNECTION_CLOSE has been sent and the run-loop has stopped
				handler.shutdown()
				wg.Done()
			}(handler)
		}
	}
	h.mutex.Unlock()
	wg.Wait()
}

// Destroy closes the socket and waits for listen to return.
func (h *packetHandlerMap) Destroy() error {
	if err := h.conn.Close(); err != nil {
		return err
	}
	<-h.listening // wait until listening returns
	return nil
}

func (h *packetHandlerMap) close(e error) error {
	h.mutex.Lock()
	if h.closed {
		h.mutex.Unlock()
		return nil
	}

	var wg sync.WaitGroup
	for _, handler := range h.handlers {
		wg.Add(1)
		go func(handler packetHandler) {
			handler.destroy(e)
			wg.Done()
		}(handler)
	}

	if h.server != nil {
		h.server.setCloseError(e) // heldout:site
	}
	h.closed = true
	h.mutex.Unlock()
	wg.Wait()
	return nil
}

func (h *packetHandlerMap) listen() {
	defer close(h.listening)
	for {
		if _, err := h.conn.ReadPacket(); err != nil {
			h.close(err)
			return
		}
	}
}

// baseServer accepts QUIC connections.
type baseServer struct {
	mutex sync.Mutex

	sessionHandler    sessionHandler
	createdPacketConn bool
	closed            bool
	serverError       error
	errorChan         chan struct{}
}

func newServer(h sessionHandler, createdPacketConn bool) *baseServer {
	s := &baseServer{
		sessionHandler:    h,
		createdPacketConn: createdPacketConn,
		errorChan:         make(chan struct{}),
	}
	h.SetServer(s)
	return s
}

// Close the server.
func (s *baseServer) Close() error {
	s.mutex.Lock()
	defer s.mutex.Unlock()
	if s.closed {
		return nil
	}
	return s.closeWithMutex()
}

// closeWithMutex closes the server. The mutex must be held.
func (s *baseServer) closeWithMutex() error {
	s.sessionHandler.CloseServer() // heldout:site
	if s.serverError == nil {
		s.serverError = errors.New("server closed")
	}
	var err error
	// If the server was started with ListenAddr, we created the packet conn.
	// We need to close it in order to make the go routine reading from that conn return.
	if s.createdPacketConn {
		err = s.sessionHandler.Destroy()
	}
	s.closed = true
	close(s.errorChan)
	return err
}

func (s *baseServer) setCloseError(e error) {
	s.mutex.Lock() // heldout:site
	defer s.mutex.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	s.serverError = e
	close(s.errorChan)
}

// failingConn is a socket that fails once its peer is gone.
type failingConn struct {
	once   sync.Once
	closed chan struct{}
}

func (c *failingConn) ReadPacket() ([]byte, error) {
	<-c.closed
	return nil, errors.New("use of closed network connection")
}

func (c *failingConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// CloseWhileSocketFails closes the server while the socket (shared with
// another user, so the server did not create it) fails.
func CloseWhileSocketFails() error {
	conn := &failingConn{closed: make(chan struct{})}
	h := newPacketHandlerMap(conn)
	s := newServer(h, false)
	go conn.Close()
	return s.Close()
}

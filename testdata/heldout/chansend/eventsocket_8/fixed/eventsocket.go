// Package fixed is the fixed version of chansend/eventsocket_8: the error
// channel has a buffer of one, so readLoop parks its last error and closes
// the socket.
package fixed

import "sync"

// Event is one message from the server.
type Event struct {
	Type   string
	Header map[string]string
	Body   string
}

// frameReader is the socket.
type frameReader interface {
	ReadFrame() (*Event, error)
	Close() error
}

// Connection is the event socket connection handler.
type Connection struct {
	conn      frameReader
	err       chan error
	evt       chan *Event
	closeOnce sync.Once
}

func newConnection(c frameReader) *Connection {
	return &Connection{
		conn: c,
		err:  make(chan error, 1),
		evt:  make(chan *Event, 16),
	}
}

// Serve starts the read loop and the handler, as ListenAndServe does for
// each accepted connection.
func Serve(c frameReader, fn func(*Connection)) {
	h := newConnection(c)
	go h.readLoop()
	go fn(h)
}

// readLoop calls readOne until a fatal error occurs, then closes the
// socket.
func (h *Connection) readLoop() {
	for h.readOne() {
	}
	h.Close()
}

func (h *Connection) readOne() bool {
	ev, err := h.conn.ReadFrame()
	if err != nil {
		h.err <- err
		return false
	}
	h.evt <- ev
	return true
}

// Close terminates the connection.
func (h *Connection) Close() {
	h.closeOnce.Do(func() { h.conn.Close() })
}

// ReadEvent returns the next event or the read loop's error.
func (h *Connection) ReadEvent() (*Event, error) {
	select {
	case err := <-h.err:
		return nil, err
	case ev := <-h.evt:
		return ev, nil
	}
}

// hangupHandler reads events until the disconnect notice and returns.
func hangupHandler(c *Connection) {
	for {
		ev, err := c.ReadEvent()
		if err != nil || ev.Type == "text/disconnect-notice" {
			return
		}
	}
}

// Run serves one connection with hangupHandler.
func Run(c frameReader) {
	Serve(c, hangupHandler)
}

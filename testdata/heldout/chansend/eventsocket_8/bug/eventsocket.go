// Package bug is a held-out kernel (issue 14): an event-socket connection
// whose read loop reports a read error on an unbuffered error channel;
// once the handler has stopped calling ReadEvent, the read loop blocks on
// that send for ever and never closes the socket.
//
// Upstream: fiorix/go-eventsocket#8 ("Prevent goroutine leak")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: newConnection made err with make(chan error). readLoop calls
// readOne until it returns false, then closes the connection; readOne
// reads one message and hands it to the handler on evt, or the read
// error on err. Only ReadEvent receives from err, and only while a
// handler is inside it. The PR: "If the err chan is not buffered the
// readLoop goroutines will leak hanged on the h.err <- err line". Our
// reduction: the MIME parsing is a reader of typed frames, and the
// command and api reply channels (and Send) are left out; the handler
// returns at the disconnect notice, after which the server only closes
// the socket.
//
// Fix: err gets a buffer of one, so the read error of the last readOne
// is parked in the channel and readLoop goes on to Close.
package bug

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
		err:  make(chan error), // heldout:site
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
		h.err <- err // heldout:site
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

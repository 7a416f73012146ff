package real

import (
	"sync"
	"unsafe"
)

// A private channel field the package never assigns a channel, while it
// hands the field's channel to someone as the one to deliver on: the
// channel is nil, nothing arrives, and whatever waits on it waits forever.

// Upstream: carbonblack/cb-event-forwarder#175. The AMQP consumer asked
// its connection to tell it of a close on its connectionErrors channel,
// and its loop selected on that channel to reconnect, but the constructor
// never made the channel: the close notice went nowhere and a broker
// hang-up was never seen. Fix: the constructor makes the channel.
// Reduced in our own words.
type closeNote struct{ reason string }

type brokerConn struct {
	mu      sync.Mutex
	waiters []chan *closeNote
}

func (c *brokerConn) notifyClose(ch chan *closeNote) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiters = append(c.waiters, ch)
}

type queueReader struct {
	conn   *brokerConn
	closed chan *closeNote
	name   string
}

func newQueueReader(conn *brokerConn, name string) *queueReader {
	return &queueReader{conn: conn, name: name}
}

func (r *queueReader) read(msgs <-chan string, handle func(string)) string {
	r.conn.notifyClose(r.closed)
	for {
		select {
		case m := <-msgs:
			handle(m)
		case n := <-r.closed: // want `field closed of queueReader is never assigned a channel in this package \(no make, in a literal or a store\), yet its channel is handed on at line \d+ as the one to deliver on: it is nil, nothing is ever delivered, and this select case never fires`
			return n.reason
		}
	}
}

// A plain receive waits forever.
func (r *queueReader) waitClosed() string {
	n := <-r.closed // want `field closed of queueReader is never assigned a channel .* and this receive blocks forever`
	return n.reason
}

// The fix: the constructor makes the channel.
type queueReaderFixed struct {
	conn   *brokerConn
	closed chan *closeNote
}

func newQueueReaderFixed(conn *brokerConn) *queueReaderFixed {
	return &queueReaderFixed{conn: conn, closed: make(chan *closeNote, 1)}
}

func (r *queueReaderFixed) read(msgs <-chan string, handle func(string)) string {
	r.conn.notifyClose(r.closed)
	for {
		select {
		case m := <-msgs:
			handle(m)
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: made later, by a method, not by the constructor.
type queueReaderLate struct {
	conn   *brokerConn
	closed chan *closeNote
}

func (r *queueReaderLate) connect(conn *brokerConn) {
	r.conn = conn
	r.closed = make(chan *closeNote, 1)
	r.conn.notifyClose(r.closed)
}

func (r *queueReaderLate) read(msgs <-chan string) string {
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: a hook tested for nil, set by tests of the package.
type queueReaderHook struct {
	conn   *brokerConn
	closed chan *closeNote
}

func (r *queueReaderHook) read(msgs <-chan string) string {
	if r.closed != nil {
		r.conn.notifyClose(r.closed)
	}
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: the field's address is handed on; the callee may set it.
type queueReaderAddr struct {
	conn   *brokerConn
	closed chan *closeNote
}

func makeInto(p *chan *closeNote) { *p = make(chan *closeNote, 1) }

func (r *queueReaderAddr) read(msgs <-chan string) string {
	makeInto(&r.closed)
	r.conn.notifyClose(r.closed)
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: the struct is written through an unsafe.Pointer.
type queueReaderRaw struct {
	conn   *brokerConn
	closed chan *closeNote
}

func rawReader(p unsafe.Pointer) *queueReaderRaw { return (*queueReaderRaw)(p) }

func (r *queueReaderRaw) read(msgs <-chan string) string {
	r.conn.notifyClose(r.closed)
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: the struct is converted from another type with the same
// fields, whose field is made.
type readerState struct {
	conn   *brokerConn
	closed chan *closeNote
}

type queueReaderConv struct {
	conn   *brokerConn
	closed chan *closeNote
}

func convReader(conn *brokerConn) *queueReaderConv {
	s := readerState{conn: conn, closed: make(chan *closeNote, 1)}
	r := queueReaderConv(s)
	return &r
}

func (r *queueReaderConv) read(msgs <-chan string) string {
	r.conn.notifyClose(r.closed)
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// Look-alike: made by a package variable's initializer (the package
// initializer, not a source function).
type queueReaderInit struct {
	conn   *brokerConn
	closed chan *closeNote
}

var defaultQueueReader = &queueReaderInit{conn: &brokerConn{}, closed: make(chan *closeNote, 1)}

func (r *queueReaderInit) read(msgs <-chan string) string {
	r.conn.notifyClose(r.closed)
	for {
		select {
		case <-msgs:
		case n := <-r.closed:
			return n.reason
		}
	}
}

// The same for a field nothing hands on: a plain receive from a channel
// the initializer makes.
type initGate struct{ open chan struct{} }

var defaultGate = initGate{open: make(chan struct{})}

func (g *initGate) wait() { <-g.open }

func (g *initGate) release() { close(g.open) }

func useDefaults() string {
	defaultGate.wait()
	return defaultQueueReader.read(nil)
}

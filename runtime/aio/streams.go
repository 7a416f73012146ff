package aio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
)

// DefaultLimit is the default buffer limit of a StreamReader (Python's
// 64 KiB): ReadLine and ReadUntil fail with *LimitOverrunError when no
// separator is found within it.
const DefaultLimit = 64 << 10

// ErrReadInProgress is returned by a read of a StreamReader on which
// another task is already waiting for data.
var ErrReadInProgress = errors.New("aio: another task is already waiting for data on this stream")

// IncompleteReadError is returned by ReadExactly and ReadUntil when the
// stream ends first (Python's IncompleteReadError). It matches
// io.ErrUnexpectedEOF.
type IncompleteReadError struct {
	Partial  []byte // what was read before the end
	Expected int    // the number of bytes expected, -1 for ReadUntil
}

// Error says how much was read.
func (e *IncompleteReadError) Error() string {
	if e.Expected < 0 {
		return fmt.Sprintf("aio: %d bytes read before the end of the stream, separator not found", len(e.Partial))
	}
	return fmt.Sprintf("aio: %d bytes read on a total of %d expected bytes", len(e.Partial), e.Expected)
}

// Unwrap returns io.ErrUnexpectedEOF.
func (e *IncompleteReadError) Unwrap() error { return io.ErrUnexpectedEOF }

// LimitOverrunError is returned by ReadLine and ReadUntil when the
// buffer reaches the reader's limit without a separator, or with one
// farther than the limit (Python's LimitOverrunError). The data stays in
// the buffer, except for ReadLine, which discards the overlong line.
type LimitOverrunError struct {
	Consumed int // how many bytes to consume to get past the problem
	found    bool
}

// Error says what overran the limit.
func (e *LimitOverrunError) Error() string {
	if e.found {
		return "aio: separator is found, but chunk is longer than limit"
	}
	return "aio: separator is not found, and chunk exceeds the limit"
}

// conn is one connection seen from the loop: its reader and writer share
// it. All of it is used on the loop's goroutine; the blocking reads and
// writes run on helper goroutines, one per operation, and post their
// completion to the loop.
type conn struct {
	loop   *Loop
	c      net.Conn
	r      *StreamReader
	w      *StreamWriter
	closed bool
	done   fut // done when the connection is closed
}

func newConn(l *Loop, c net.Conn) (*StreamReader, *StreamWriter) {
	cn := &conn{loop: l, c: c, done: fut{loop: l, ctl: sharedFut{}}}
	cn.r = &StreamReader{cn: cn, limit: DefaultLimit}
	cn.w = &StreamWriter{cn: cn}
	l.io.add(c)
	return cn.r, cn.w
}

// close closes the socket, once.
func (cn *conn) close() {
	if cn.closed {
		return
	}
	cn.closed = true
	cn.c.Close()
	cn.loop.io.remove(cn.c)
	cn.done.resolve(nil, "")
	cn.w.wakeDrainers()
}

// OpenConnection connects to the TCP address addr ("host:port") and
// returns the connection's reader and writer (Python's
// asyncio.open_connection). The dial, name resolution included, runs on a
// helper goroutine; if t is cancelled meanwhile, it is abandoned.
func OpenConnection(t *Task, addr string) (*StreamReader, *StreamWriter, error) {
	var a Connecting
	a.Start(t, addr)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Connecting is OpenConnection as a resumable operation (see resume.go).
type Connecting struct {
	o offloading[net.Conn]
	r *StreamReader
	w *StreamWriter
}

// Start begins connecting to addr for t.
func (a *Connecting) Start(t *Task, addr string) {
	*a = Connecting{}
	a.o.start(t, func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}, func(c net.Conn) { c.Close() })
}

// Step runs the operation on (see resume.go).
func (a *Connecting) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Connecting) step(t *Task, thrown error) (Waitable, bool) {
	if w, s := a.o.rw.step(t, thrown); s {
		return w, true
	}
	if c := a.o.rw.r; c != nil && a.o.rw.err == nil {
		a.r, a.w = newConn(t.loop, c)
		a.o.rw.r = nil
	}
	return nil, false
}

// Result returns OpenConnection's results and forgets the operation.
func (a *Connecting) Result() (*StreamReader, *StreamWriter, error) {
	r, w, err := a.r, a.w, a.o.rw.err
	*a = Connecting{}
	return r, w, err
}

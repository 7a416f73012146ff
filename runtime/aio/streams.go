package aio

import (
	"bytes"
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

// The write buffer's water marks (Python's defaults): past high, Drain
// waits until the buffer is down to low.
const (
	highWater = 64 << 10
	lowWater  = highWater / 4
)

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

// StreamReader reads from a connection: Python's asyncio.StreamReader.
// Data arrives as a task asks for it; one task at a time may wait for
// data. Like everything of a loop, it is used from the loop's tasks only.
type StreamReader struct {
	cn      *conn
	buf     []byte
	off     int // buf[off:] is unread
	eof     bool
	err     error // the connection's read error, after the buffered data
	limit   int
	reading bool   // a read is in flight
	rbuf    []byte // the in-flight read's buffer
	waiter  *fut   // the task waiting for data
}

// SetLimit sets the buffer limit (see DefaultLimit).
func (r *StreamReader) SetLimit(n int) { r.limit = n }

func (r *StreamReader) buffered() []byte { return r.buf[r.off:] }

// consume removes n bytes from the front of the buffer and returns a
// copy of them.
func (r *StreamReader) consume(n int) []byte {
	p := bytes.Clone(r.buf[r.off : r.off+n])
	r.off += n
	if r.off == len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
	} else if r.off > 4096 && r.off*2 > len(r.buf) {
		k := copy(r.buf, r.buf[r.off:])
		r.buf, r.off = r.buf[:k], 0
	}
	return p
}

// AtEOF reports whether the stream has ended and its buffer is empty.
func (r *StreamReader) AtEOF() bool { return r.eof && r.off == len(r.buf) }

// fill suspends t until more data, the end of the stream or an error
// comes.
func (r *StreamReader) fill(t *Task) error {
	if r.waiter != nil {
		return ErrReadInProgress
	}
	if r.cn.closed && !r.reading {
		r.eof = true // closed by our writer: nothing more comes
		return nil
	}
	r.startRead()
	r.waiter = &fut{loop: r.cn.loop}
	err := awaitFut(t, r.waiter)
	if err == nil && r.waiter.state == fCancelled {
		err = ErrCancelled
	}
	r.waiter = nil
	return err
}

// startRead starts a read on a helper goroutine, unless one is in flight
// (a read outlives a cancelled waiter: its data goes to the buffer).
func (r *StreamReader) startRead() {
	if r.reading || r.eof || r.err != nil {
		return
	}
	r.reading = true
	if r.rbuf == nil {
		r.rbuf = make([]byte, 32<<10)
	}
	l, c, p := r.cn.loop, r.cn.c, r.rbuf
	l.beginOp()
	l.goHelper(func() {
		n, err := c.Read(p)
		l.post(func() { r.feed(p[:n], err) }, nil)
	})
}

// feed takes the outcome of a read, on the loop.
func (r *StreamReader) feed(p []byte, err error) {
	r.reading = false
	r.buf = append(r.buf, p...)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed) && r.cn.closed:
		r.eof = true
	default:
		r.err = err
	}
	if w := r.waiter; w != nil && !w.done() {
		w.resolve(nil, "")
	}
}

// endErr is the error of a read at the end of the buffered data.
func (r *StreamReader) endErr() error {
	if r.err != nil {
		return r.err
	}
	return io.EOF
}

// Read returns up to n bytes, waiting for some if none are buffered
// (Python's read(n)); n < 0 reads until the end of the stream. At the end
// it returns io.EOF.
func (r *StreamReader) Read(t *Task, n int) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if n < 0 {
		for !r.eof && r.err == nil {
			if err := r.fill(t); err != nil {
				return nil, err
			}
		}
		if len(r.buffered()) == 0 {
			if r.err != nil {
				return nil, r.err
			}
			return []byte{}, nil
		}
		return r.consume(len(r.buffered())), nil
	}
	for len(r.buffered()) == 0 {
		if r.eof || r.err != nil {
			return nil, r.endErr()
		}
		if err := r.fill(t); err != nil {
			return nil, err
		}
	}
	return r.consume(min(n, len(r.buffered()))), nil
}

// ReadExactly returns exactly n bytes, or an *IncompleteReadError with
// what there was if the stream ends first.
func (r *StreamReader) ReadExactly(t *Task, n int) ([]byte, error) {
	if n < 0 {
		return nil, errors.New("aio: ReadExactly with a negative size")
	}
	for len(r.buffered()) < n {
		if r.eof || r.err != nil {
			if r.err != nil {
				return nil, r.err
			}
			return nil, &IncompleteReadError{Partial: r.consume(len(r.buffered())), Expected: n}
		}
		if err := r.fill(t); err != nil {
			return nil, err
		}
	}
	return r.consume(n), nil
}

// ReadUntil returns the data up to and including sep (Python's
// readuntil). If the stream ends first it returns an
// *IncompleteReadError with the rest of the data; if the limit is
// reached first, a *LimitOverrunError, leaving the data buffered.
func (r *StreamReader) ReadUntil(t *Task, sep []byte) ([]byte, error) {
	if len(sep) == 0 {
		return nil, errors.New("aio: ReadUntil with an empty separator")
	}
	offset := 0 // where to resume the search
	for {
		b := r.buffered()
		if i := bytes.Index(b[offset:], sep); i >= 0 {
			i += offset
			if i > r.limit {
				return nil, &LimitOverrunError{Consumed: i, found: true}
			}
			return r.consume(i + len(sep)), nil
		}
		offset = max(0, len(b)+1-len(sep))
		if offset > r.limit {
			return nil, &LimitOverrunError{Consumed: offset}
		}
		if r.eof || r.err != nil {
			if r.err != nil {
				return nil, r.err
			}
			return nil, &IncompleteReadError{Partial: r.consume(len(b)), Expected: -1}
		}
		if err := r.fill(t); err != nil {
			return nil, err
		}
	}
}

// ReadLine returns a line, with its "\n" (Python's readline). At the end
// of the stream it returns the last, unterminated data (possibly empty)
// with io.EOF, as bufio.Reader.ReadBytes does. A line longer than the
// limit is discarded and a *LimitOverrunError returned.
func (r *StreamReader) ReadLine(t *Task) ([]byte, error) {
	line, err := r.ReadUntil(t, []byte{'\n'})
	var inc *IncompleteReadError
	var over *LimitOverrunError
	switch {
	case errors.As(err, &inc):
		return inc.Partial, io.EOF
	case errors.As(err, &over):
		b := r.buffered()
		if over.Consumed < len(b) && b[over.Consumed] == '\n' {
			r.consume(over.Consumed + 1)
		} else {
			r.consume(len(b))
		}
		return nil, err
	}
	return line, err
}

// StreamWriter writes to a connection: Python's asyncio.StreamWriter.
// Write buffers and returns at once; the data goes out on a helper
// goroutine. Drain waits while the buffer is over its high-water mark,
// which is how a writer slows down to the pace of its peer.
type StreamWriter struct {
	cn       *conn
	buf      []byte // written, not yet handed to a write
	spare    []byte
	writing  int   // bytes in flight
	err      error // the first write error
	closing  bool
	eofAfter bool // WriteEOF once the buffer is flushed
	paused   bool // over the high-water mark, until down to the low one
	drainers waitList
}

// Write buffers p to be sent and returns len(p); Drain applies the
// back-pressure. After Close, or once a write has failed, it returns the
// error (net.ErrClosed for a closed writer).
func (w *StreamWriter) Write(p []byte) (int, error) {
	switch {
	case w.err != nil:
		return 0, w.err
	case w.closing || w.eofAfter || w.cn.closed:
		return 0, net.ErrClosed
	}
	w.buf = append(w.buf, p...)
	if w.writing == 0 {
		w.flush()
	}
	if len(w.buf)+w.writing > highWater {
		w.paused = true
	}
	return len(p), nil
}

// WriteString buffers s, as Write.
func (w *StreamWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Buffered returns the number of bytes written and not yet sent.
func (w *StreamWriter) Buffered() int { return len(w.buf) + w.writing }

// flush hands the buffer to a write on a helper goroutine.
func (w *StreamWriter) flush() {
	if len(w.buf) == 0 {
		return
	}
	data := w.buf
	w.buf, w.spare = w.spare[:0], nil
	w.writing = len(data)
	l, c := w.cn.loop, w.cn.c
	l.beginOp()
	l.goHelper(func() {
		_, err := c.Write(data)
		l.post(func() { w.written(data, err) }, nil)
	})
}

// written takes the outcome of a write, on the loop.
func (w *StreamWriter) written(data []byte, err error) {
	w.writing = 0
	if w.spare == nil {
		w.spare = data[:0]
	}
	if err != nil && w.err == nil {
		w.err = err
	}
	if w.err == nil {
		w.flush()
	}
	if w.writing == 0 && (w.err != nil || len(w.buf) == 0) {
		switch {
		case w.closing:
			w.cn.close()
		case w.eofAfter:
			w.writeEOF()
		}
	}
	if w.paused && w.Buffered() <= lowWater || w.err != nil {
		w.wakeDrainers()
	}
}

func (w *StreamWriter) wakeDrainers() {
	w.paused = false
	for d := w.drainers.head; d != nil; d = d.next {
		if !d.f.done() {
			d.f.resolve(nil, "")
		}
	}
}

// Drain suspends t while the write buffer is over its high-water mark,
// and returns the error of a failed write, if any: call it after writes
// so that a fast writer waits for a slow peer (Python's drain).
func (w *StreamWriter) Drain(t *Task) error {
	for w.paused && w.err == nil && !w.cn.closed {
		if _, err := w.drainers.wait(t); err != nil {
			return err
		}
	}
	if w.err != nil {
		return w.err
	}
	if w.cn.closed && w.Buffered() > 0 {
		return net.ErrClosed
	}
	return nil
}

// WriteEOF closes the writing side of the connection once the buffered
// data is sent; the peer reads the end of the stream, and can still
// answer (Python's write_eof).
func (w *StreamWriter) WriteEOF() error {
	if w.closing || w.cn.closed {
		return net.ErrClosed
	}
	w.eofAfter = true
	if w.writing == 0 && len(w.buf) == 0 {
		w.writeEOF()
	}
	return nil
}

func (w *StreamWriter) writeEOF() {
	if cw, ok := w.cn.c.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil && w.err == nil {
			w.err = err
		}
	}
}

// Close closes the connection once the buffered data is sent (Python's
// close); WaitClosed waits for that. Reads see the end of the stream.
func (w *StreamWriter) Close() error {
	if w.closing {
		return nil
	}
	w.closing = true
	if w.writing == 0 {
		w.cn.close()
	}
	return nil
}

// IsClosing reports whether Close was called.
func (w *StreamWriter) IsClosing() bool { return w.closing || w.cn.closed }

// WaitClosed suspends t until the connection is closed.
func (w *StreamWriter) WaitClosed(t *Task) error {
	if err := awaitFut(t, &w.cn.done); err != nil {
		return err
	}
	if w.cn.done.state == fCancelled {
		return ErrCancelled
	}
	return nil
}

// LocalAddr returns the connection's local address.
func (w *StreamWriter) LocalAddr() net.Addr { return w.cn.c.LocalAddr() }

// RemoteAddr returns the connection's remote address (Python's
// get_extra_info("peername")).
func (w *StreamWriter) RemoteAddr() net.Addr { return w.cn.c.RemoteAddr() }

// OpenConnection connects to the TCP address addr ("host:port") and
// returns the connection's reader and writer (Python's
// asyncio.open_connection). The dial, name resolution included, runs on a
// helper goroutine; if t is cancelled meanwhile, it is abandoned.
func OpenConnection(t *Task, addr string) (*StreamReader, *StreamWriter, error) {
	c, err := offload(t, func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}, func(c net.Conn) { c.Close() })
	if err != nil {
		return nil, nil, err
	}
	r, w := newConn(t.loop, c)
	return r, w, nil
}

package aio

import (
	"bytes"
	"errors"
	"io"
	"net"
)

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
	err := awaitSignal(t, r.waiter)
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

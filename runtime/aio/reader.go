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
	var a Reading
	a.Start(t, r, n)
	return a.run(t)
}

// ReadExactly returns exactly n bytes, or an *IncompleteReadError with
// what there was if the stream ends first.
func (r *StreamReader) ReadExactly(t *Task, n int) ([]byte, error) {
	var a Reading
	a.StartExactly(t, r, n)
	return a.run(t)
}

// ReadUntil returns the data up to and including sep (Python's
// readuntil). If the stream ends first it returns an
// *IncompleteReadError with the rest of the data; if the limit is
// reached first, a *LimitOverrunError, leaving the data buffered.
func (r *StreamReader) ReadUntil(t *Task, sep []byte) ([]byte, error) {
	var a Reading
	a.StartUntil(t, r, sep)
	return a.run(t)
}

// ReadLine returns a line, with its "\n" (Python's readline). At the end
// of the stream it returns the last, unterminated data (possibly empty)
// with io.EOF, as bufio.Reader.ReadBytes does. A line longer than the
// limit is discarded and a *LimitOverrunError returned.
func (r *StreamReader) ReadLine(t *Task) ([]byte, error) {
	var a Reading
	a.StartLine(t, r)
	return a.run(t)
}

// run drives a in a direct-mode body.
func (a *Reading) run(t *Task) ([]byte, error) {
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

type readKind uint8

const (
	readSome readKind = iota
	readAll
	readExactly
	readUntil
	readLine
)

var newline = []byte{'\n'}

// Reading is the reads of a StreamReader (Read, ReadExactly, ReadUntil,
// ReadLine) as a resumable operation (see resume.go): each try on the
// buffered data, then waits for more until it can complete.
type Reading struct {
	r       *StreamReader // until it is over
	kind    readKind
	n       int
	sep     []byte
	offset  int  // ReadUntil: where to resume the search
	filling bool // waiting for data
	sw      signalWait
	p       []byte
	err     error
}

// Start begins a Read of up to n bytes of r in t.
func (a *Reading) Start(t *Task, r *StreamReader, n int) {
	*a = Reading{r: r, n: n}
	switch {
	case n == 0:
		a.r = nil
	case n < 0:
		a.kind = readAll
	}
}

// StartExactly begins a ReadExactly of n bytes of r in t.
func (a *Reading) StartExactly(t *Task, r *StreamReader, n int) {
	*a = Reading{r: r, kind: readExactly, n: n}
	if n < 0 {
		a.r, a.err = nil, errors.New("aio: ReadExactly with a negative size")
	}
}

// StartUntil begins a ReadUntil of r, up to sep, in t.
func (a *Reading) StartUntil(t *Task, r *StreamReader, sep []byte) {
	*a = Reading{r: r, kind: readUntil, sep: sep}
	if len(sep) == 0 {
		a.r, a.err = nil, errors.New("aio: ReadUntil with an empty separator")
	}
}

// StartLine begins a ReadLine of r in t.
func (a *Reading) StartLine(t *Task, r *StreamReader) {
	*a = Reading{r: r, kind: readLine, sep: newline}
}

// Step runs the operation on (see resume.go).
func (a *Reading) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Reading) step(t *Task, thrown error) (Waitable, bool) {
	for a.r != nil {
		if a.filling {
			w, s, err := a.sw.step(t, thrown)
			if s {
				return w, true
			}
			a.filling, a.r.waiter, thrown = false, nil, nil
			if err != nil {
				a.finish(nil, err)
				break
			}
		}
		if a.try() {
			continue
		}
		// fill: wait for more data, the end of the stream or an error.
		r := a.r
		switch {
		case r.waiter != nil:
			a.finish(nil, ErrReadInProgress)
		case r.cn.closed && !r.reading:
			r.eof = true // closed by our writer: nothing more comes
		default:
			r.startRead()
			r.waiter = &fut{loop: r.cn.loop}
			a.sw, a.filling = signalWait{r.waiter}, true
		}
	}
	return nil, false
}

// try completes the read from the buffered data if it can, and reports
// whether it did.
func (a *Reading) try() bool {
	r := a.r
	b := r.buffered()
	ended := r.eof || r.err != nil
	switch a.kind {
	case readSome:
		switch {
		case len(b) > 0:
			a.finish(r.consume(min(a.n, len(b))), nil)
		case ended:
			a.finish(nil, r.endErr())
		default:
			return false
		}
	case readAll:
		switch {
		case !ended:
			return false
		case len(b) > 0:
			a.finish(r.consume(len(b)), nil)
		case r.err != nil:
			a.finish(nil, r.err)
		default:
			a.finish([]byte{}, nil)
		}
	case readExactly:
		switch {
		case len(b) >= a.n:
			a.finish(r.consume(a.n), nil)
		case r.err != nil:
			a.finish(nil, r.err)
		case r.eof:
			a.finish(nil, &IncompleteReadError{Partial: r.consume(len(b)), Expected: a.n})
		default:
			return false
		}
	default: // readUntil, readLine
		sep := a.sep
		if i := bytes.Index(b[a.offset:], sep); i >= 0 {
			i += a.offset
			if i > r.limit {
				a.finish(nil, &LimitOverrunError{Consumed: i, found: true})
			} else {
				a.finish(r.consume(i+len(sep)), nil)
			}
			return true
		}
		a.offset = max(0, len(b)+1-len(sep))
		switch {
		case a.offset > r.limit:
			a.finish(nil, &LimitOverrunError{Consumed: a.offset})
		case r.err != nil:
			a.finish(nil, r.err)
		case r.eof:
			a.finish(nil, &IncompleteReadError{Partial: r.consume(len(b)), Expected: -1})
		default:
			return false
		}
	}
	return true
}

// finish ends the read with its results; ReadLine's end of the stream
// and overlong line are handled here.
func (a *Reading) finish(p []byte, err error) {
	r := a.r
	a.r, a.p, a.err = nil, p, err
	if a.kind != readLine || err == nil {
		return
	}
	var inc *IncompleteReadError
	var over *LimitOverrunError
	switch {
	case errors.As(err, &inc):
		a.p, a.err = inc.Partial, io.EOF
	case errors.As(err, &over):
		b := r.buffered()
		if over.Consumed < len(b) && b[over.Consumed] == '\n' {
			r.consume(over.Consumed + 1)
		} else {
			r.consume(len(b))
		}
	}
}

// Result returns the read's results and forgets the operation.
func (a *Reading) Result() ([]byte, error) {
	p, err := a.p, a.err
	*a = Reading{}
	return p, err
}

package aio

import "net"

// The write buffer's water marks (Python's defaults): past high, Drain
// waits until the buffer is down to low.
const (
	highWater = 64 << 10
	lowWater  = highWater / 4
)

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
	w.drainers.wake(w.drainers.n)
}

// Drain suspends t while the write buffer is over its high-water mark,
// and returns the error of a failed write, if any: call it after writes
// so that a fast writer waits for a slow peer (Python's drain).
func (w *StreamWriter) Drain(t *Task) error {
	var a Draining
	a.Start(t, w)
	for x, ok := a.step(t, nil); ok; x, ok = a.step(t, suspendOn(t, x)) {
	}
	return a.Result()
}

// Draining is StreamWriter.Drain as a resumable operation (see
// resume.go).
type Draining struct {
	w   *StreamWriter // until it is over
	p   parking
	err error
}

// Start begins draining w in t.
func (a *Draining) Start(t *Task, w *StreamWriter) {
	*a = Draining{w: w}
	a.next(t)
}

// next waits again while the buffer is over its high-water mark, or
// ends the drain.
func (a *Draining) next(t *Task) {
	w := a.w
	if w.paused && w.err == nil && !w.cn.closed {
		if err := a.p.begin(t, &w.drainers); err != nil {
			a.w, a.err = nil, err
		}
		return
	}
	a.w = nil
	switch {
	case w.err != nil:
		a.err = w.err
	case w.cn.closed && w.Buffered() > 0:
		a.err = net.ErrClosed
	}
}

// Step runs the operation on (see resume.go).
func (a *Draining) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Draining) step(t *Task, thrown error) (Waitable, bool) {
	for a.w != nil {
		w, s, _, err := a.p.step(t, thrown)
		if s {
			return w, true
		}
		if err != nil {
			a.w, a.err = nil, err
			break
		}
		thrown = nil
		a.next(t)
	}
	return nil, false
}

// Result returns Drain's error and forgets the operation.
func (a *Draining) Result() error {
	err := a.err
	*a = Draining{}
	return err
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
	var a Closing
	a.StartWriter(t, w)
	for x, ok := a.step(t, nil); ok; x, ok = a.step(t, suspendOn(t, x)) {
	}
	return a.Result()
}

// LocalAddr returns the connection's local address.
func (w *StreamWriter) LocalAddr() net.Addr { return w.cn.c.LocalAddr() }

// RemoteAddr returns the connection's remote address (Python's
// get_extra_info("peername")).
func (w *StreamWriter) RemoteAddr() net.Addr { return w.cn.c.RemoteAddr() }

// Package bug is a held-out kernel (issue 14): a blocking ring buffer
// whose Write, on a full buffer, waits on the read condition and retries;
// CloseWriter sets the error and broadcasts, the waiting writer wakes,
// finds the buffer still full and waits again, and with no reader left
// nothing ever broadcasts the condition again.
//
// Upstream: smallnest/ringbuffer#12 ("dont enter readCond.wait if r.err != nil")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: in blocking mode, Write loops: write what fits; on errIsFull it
// broadcasts writeCond (for readers) and waits on readCond, then retries.
// setErr records a closing error and broadcasts both conditions; an
// io.EOF from CloseWriter is kept, and the full-buffer error is passed
// through as temporary. The PR: "even though goroutine A may initially
// exit the wait due to CloseWriter being called, if the subsequent call
// to r.write(p) still returns ErrIsFull ... goroutine A will re-enter
// r.readCond.Wait(), effectively preventing it from exiting." The
// buffer is reduced to a byte slice with read and write positions; the
// timeouts are left out.
//
// Fix: Write checks r.err before it waits, and returns instead of
// waiting once the buffer has an error.
package bug

import (
	"errors"
	"io"
	"sync"
)

var (
	errIsFull  = errors.New("ringbuffer is full")
	errIsEmpty = errors.New("ringbuffer is empty")
	// ErrWriteOnClosed is returned by writes after CloseWriter.
	ErrWriteOnClosed = errors.New("write on closed ringbuffer")
)

// RingBuffer is a circular byte buffer.
type RingBuffer struct {
	buf    []byte
	size   int
	r, w   int
	isFull bool
	err    error
	block  bool

	mu        sync.Mutex
	readCond  *sync.Cond // signalled after a read
	writeCond *sync.Cond // signalled after a write
}

// New returns a buffer of size bytes.
func New(size int) *RingBuffer {
	r := &RingBuffer{buf: make([]byte, size), size: size}
	r.readCond = sync.NewCond(&r.mu)
	r.writeCond = sync.NewCond(&r.mu)
	return r
}

// SetBlocking makes Read and Write wait instead of failing.
func (r *RingBuffer) SetBlocking(block bool) *RingBuffer {
	r.block = block
	return r
}

func (r *RingBuffer) setErr(err error) error {
	if r.err != nil && r.err != io.EOF {
		return r.err
	}
	switch err {
	case nil, errIsEmpty, errIsFull:
		return err
	default:
		r.err = err
		if r.block {
			r.readCond.Broadcast()
			r.writeCond.Broadcast()
		}
	}
	return err
}

func (r *RingBuffer) free() int {
	if r.isFull {
		return 0
	}
	if r.w >= r.r {
		return r.size - r.w + r.r
	}
	return r.r - r.w
}

func (r *RingBuffer) write(p []byte) (int, error) {
	n := 0
	for n < len(p) && r.free() > 0 {
		r.buf[r.w] = p[n]
		r.w = (r.w + 1) % r.size
		r.isFull = r.w == r.r
		n++
	}
	if n < len(p) {
		return n, errIsFull
	}
	return n, nil
}

// Write writes p, waiting for room in blocking mode.
func (r *RingBuffer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	if r.err != nil {
		if r.err == io.EOF {
			return 0, ErrWriteOnClosed
		}
		return 0, r.err
	}
	wrote := 0
	for len(p) > 0 {
		n, err := r.write(p)
		wrote += n
		if !r.block || err == nil {
			return wrote, err
		}
		err = r.setErr(err)
		if err != errIsFull {
			return wrote, err
		}
		r.writeCond.Broadcast()
		r.readCond.Wait() // heldout:site
		p = p[n:]
	}
	return wrote, nil
}

// Read reads into p, waiting for data in blocking mode.
func (r *RingBuffer) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	for {
		if r.r == r.w && !r.isFull {
			if r.err != nil {
				return 0, r.err
			}
			if !r.block {
				return 0, errIsEmpty
			}
			r.writeCond.Wait()
			continue
		}
		n := 0
		for n < len(p) && (r.r != r.w || r.isFull) {
			p[n] = r.buf[r.r]
			r.r = (r.r + 1) % r.size
			r.isFull = false
			n++
		}
		r.readCond.Broadcast()
		return n, nil
	}
}

// CloseWriter closes the writing side; readers drain and get io.EOF.
func (r *RingBuffer) CloseWriter() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setErr(io.EOF) // heldout:site
}

// CloseWithError closes the buffer with err.
func (r *RingBuffer) CloseWithError(err error) {
	if err == nil {
		err = io.EOF
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setErr(err)
}

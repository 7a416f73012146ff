package real

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// Upstream: acomagu/bufpipe#6
//
// Bug: a buffered pipe's Read waits on the pipe's Cond until data arrives
// or the write half is closed (rerr set), retrying through a goto label.
// Write signals the Cond, but CloseWithError only stored rerr: a Read
// already waiting on an empty buffer was never woken by the close and hung.
// Fix: CloseWithError broadcasts the Cond after storing the error.

var errClosedPipe = errors.New("closed pipe")

type pipe struct {
	cond       *sync.Cond
	buf        *bytes.Buffer
	rerr, werr error
}

type pipeReader struct{ *pipe }

type pipeWriter struct{ *pipe }

func newPipe() (*pipeReader, *pipeWriter) {
	p := &pipe{buf: new(bytes.Buffer), cond: sync.NewCond(new(sync.Mutex))}
	return &pipeReader{p}, &pipeWriter{p}
}

func (r *pipeReader) Read(data []byte) (int, error) {
	r.cond.L.Lock()
	defer r.cond.L.Unlock()
retry:
	n, err := r.buf.Read(data)
	if err == io.EOF && r.rerr == nil && n == 0 {
		r.cond.Wait()
		goto retry
	}
	if err == io.EOF {
		return n, r.rerr
	}
	return n, err
}

func (w *pipeWriter) Write(data []byte) (int, error) {
	w.cond.L.Lock()
	defer w.cond.L.Unlock()
	if w.werr != nil {
		return 0, w.werr
	}
	n, err := w.buf.Write(data)
	w.cond.Signal()
	return n, err
}

func (w *pipeWriter) CloseWithError(err error) error {
	w.cond.L.Lock()
	defer w.cond.L.Unlock()
	if err == nil {
		err = io.EOF
	}
	w.rerr = err // want `no wake-up: CloseWithError changes rerr, which ends the Wait on cond in Read \(line 41\), but nothing signals cond after the change`
	return nil
}

func (r *pipeReader) CloseWithError(err error) error {
	r.cond.L.Lock()
	defer r.cond.L.Unlock()
	if err == nil {
		err = errClosedPipe
	}
	r.werr = err // werr ends no wait: nothing to wake
	return nil
}

// The fix: the close wakes the readers.

type fixedPipe struct {
	cond       *sync.Cond
	buf        *bytes.Buffer
	rerr, werr error
}

func newFixedPipe() *fixedPipe {
	return &fixedPipe{buf: new(bytes.Buffer), cond: sync.NewCond(new(sync.Mutex))}
}

func (p *fixedPipe) Read(data []byte) (int, error) {
	p.cond.L.Lock()
	defer p.cond.L.Unlock()
retry:
	n, err := p.buf.Read(data)
	if err == io.EOF && p.rerr == nil && n == 0 {
		p.cond.Wait()
		goto retry
	}
	if err == io.EOF {
		return n, p.rerr
	}
	return n, err
}

func (p *fixedPipe) Write(data []byte) (int, error) {
	p.cond.L.Lock()
	defer p.cond.L.Unlock()
	n, err := p.buf.Write(data)
	p.cond.Signal()
	return n, err
}

func (p *fixedPipe) CloseWriter(err error) error {
	p.cond.L.Lock()
	defer p.cond.L.Unlock()
	if err == nil {
		err = io.EOF
	}
	p.rerr = err
	p.cond.Broadcast()
	return nil
}

package real

import (
	"errors"
	"io"
)

func readHeader(r io.Reader) (string, error) { return "", errors.New("malformed header") }

// Upstream: emersion/go-msgauth#8
//
// Bug: the signer hashes the message in a goroutine and reports the
// result to Close through a channel the struct keeps; when the message
// header could not be read, the goroutine returned early without reporting
// anything, and Close (also deferred by the caller) waited on the channel
// forever. Fix: the goroutine reports on every path (and closes the
// channel on its way out).
type msgSigner struct {
	pw   *io.PipeWriter
	done chan error
	sig  string
}

func newMsgSigner() *msgSigner {
	pr, pw := io.Pipe()
	s := &msgSigner{pw: pw, done: make(chan error, 1)}
	go s.hash(pr)
	return s
}

func (s *msgSigner) hash(pr *io.PipeReader) {
	h, err := readHeader(pr)
	if err != nil {
		pr.CloseWithError(err)
		return
	}
	s.sig = h
	s.done <- nil
}

func (s *msgSigner) Close() error {
	if err := s.pw.Close(); err != nil {
		return err
	}
	return <-s.done // want `Close waits here for field done of msgSigner, which only hash \(started as a goroutine at line \d+\) sends on or closes, but hash can return at line \d+ without sending on or closing it`
}

type msgSignerFixed struct {
	pw   *io.PipeWriter
	done chan error
	sig  string
}

func newMsgSignerFixed() *msgSignerFixed {
	pr, pw := io.Pipe()
	s := &msgSignerFixed{pw: pw, done: make(chan error, 1)}
	go s.hash(pr)
	return s
}

func (s *msgSignerFixed) hash(pr *io.PipeReader) {
	defer close(s.done)
	h, err := readHeader(pr)
	if err != nil {
		pr.CloseWithError(err)
		s.done <- err
		return
	}
	s.sig = h
	s.done <- nil
}

func (s *msgSignerFixed) Close() error {
	if err := s.pw.Close(); err != nil {
		return err
	}
	return <-s.done
}

// The defer registered before the early return covers it: left alone.
type runner2 struct {
	done chan struct{}
}

func newRunner2() *runner2 {
	r := &runner2{done: make(chan struct{})}
	go r.run()
	return r
}

func (r *runner2) run() {
	defer close(r.done)
	if _, err := readHeader(nil); err != nil {
		return
	}
}

func (r *runner2) Wait() { <-r.done }

// The sender started through a function literal (ours): the literal only
// runs it, so it is still a goroutine of its own.
type dialer struct {
	ready chan error
}

func newDialer() *dialer {
	d := &dialer{ready: make(chan error)}
	go func() {
		d.dial()
	}()
	return d
}

func (d *dialer) dial() {
	if _, err := readHeader(nil); err != nil {
		return
	}
	d.ready <- nil
}

func (d *dialer) Wait() error {
	return <-d.ready // want `Wait waits here for field ready of dialer, which only dial \(started as a goroutine at line \d+\) sends on or closes, but dial can return at line \d+`
}

type dialerFixed struct {
	ready chan error
}

func newDialerFixed() *dialerFixed {
	d := &dialerFixed{ready: make(chan error)}
	go func() {
		d.dial()
	}()
	return d
}

func (d *dialerFixed) dial() {
	if _, err := readHeader(nil); err != nil {
		d.ready <- err
		return
	}
	d.ready <- nil
}

func (d *dialerFixed) Wait() error { return <-d.ready }

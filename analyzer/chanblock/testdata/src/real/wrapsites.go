package real

import "io"

// The field rules find the goroutine that alone sends on a field however
// it is started: a method called by a literal handed to goSafe or to a
// pool's Submit is as much a goroutine of its own as one started by go.

type wsiteSigner struct {
	pw   *io.PipeWriter
	done chan error
	sig  string
}

func newWsiteSigner() *wsiteSigner {
	pr, pw := io.Pipe()
	s := &wsiteSigner{pw: pw, done: make(chan error, 1)}
	goSafe(func() { s.hash(pr) })
	return s
}

func (s *wsiteSigner) hash(pr *io.PipeReader) {
	h, err := readHeader(pr)
	if err != nil {
		pr.CloseWithError(err)
		return
	}
	s.sig = h
	s.done <- nil
}

func (s *wsiteSigner) Close() error {
	if err := s.pw.Close(); err != nil {
		return err
	}
	return <-s.done // want `Close waits here for field done of wsiteSigner, which only hash \(started as a goroutine at line 18\) sends on or closes, but hash can return at line 26 without sending on or closing it`
}

// The same, started by a pool's method.
type wsiteHasher struct {
	done chan string
}

func newWsiteHasher(p *wsPool, r io.Reader) *wsiteHasher {
	h := &wsiteHasher{done: make(chan string)}
	p.Submit(func() {
		h.run(r)
	})
	return h
}

func (h *wsiteHasher) run(r io.Reader) {
	sig, err := readHeader(r)
	if err != nil {
		return
	}
	h.done <- sig
}

func (h *wsiteHasher) Sum() string {
	return <-h.done // want `Sum waits here for field done of wsiteHasher, which only run \(started as a goroutine at line 46\) sends on or closes, but run can return at line 55 without sending on or closing it`
}

// Fixed: the goroutine reports on every path.
type wsiteHasherFixed struct {
	done chan string
}

func newWsiteHasherFixed(p *wsPool, r io.Reader) *wsiteHasherFixed {
	h := &wsiteHasherFixed{done: make(chan string)}
	p.Submit(func() {
		h.run(r)
	})
	return h
}

func (h *wsiteHasherFixed) run(r io.Reader) {
	defer close(h.done)
	sig, err := readHeader(r)
	if err != nil {
		return
	}
	h.done <- sig
}

func (h *wsiteHasherFixed) Sum() string {
	return <-h.done
}

// A helper that keeps the function for later rather than starting it:
// when (and whether) run runs is not known, so nothing is said.
type wsiteQueue struct{ jobs []func() }

func (q *wsiteQueue) Later(f func()) { q.jobs = append(q.jobs, f) }

type wsiteLater struct {
	done chan string
}

func newWsiteLater(q *wsiteQueue, r io.Reader) *wsiteLater {
	h := &wsiteLater{done: make(chan string)}
	q.Later(func() {
		h.run(r)
	})
	return h
}

func (h *wsiteLater) run(r io.Reader) {
	sig, err := readHeader(r)
	if err != nil {
		return
	}
	h.done <- sig
}

func (h *wsiteLater) Sum() string {
	return <-h.done
}

package real

import (
	"context"
	"io"
	"log"
	"sync"
	"time"
)

// Session 25 (bufvar): a buffered field whose senders the receiver
// starts, each sending once, where the senders outnumber the buffer: a
// fixed number of them started once each, senders started by a goroutine
// the receiver starts, and sends made in a helper the started goroutine
// calls once.

// caddyserver/caddy#7418 with the error channel kept in a field: run
// starts two copiers that each send their error once on t.errc (room for
// one) and waits for the first error or a timeout. On the timeout it
// closes both connections, both copies fail, the first error fills the
// buffer and the second copier blocks before wg.Done: run's Wait never
// returns. Fix: room for both copiers.
type fsTunnel struct {
	client, backend io.ReadWriteCloser
	errc            chan error
	wg              sync.WaitGroup
}

func newFSTunnel(c, b io.ReadWriteCloser) *fsTunnel {
	return &fsTunnel{client: c, backend: b, errc: make(chan error, 1)}
}

func (t *fsTunnel) pipe(dst io.Writer, src io.Reader) {
	defer t.wg.Done()
	_, err := io.Copy(dst, src)
	t.errc <- err // want `2 goroutines that run starts each send once on field errc, made with room for 1, and its only receiver run can return \(line \d+\) without receiving`
}

func (t *fsTunnel) run(timeout time.Duration) {
	t.wg.Add(2)
	go t.pipe(t.backend, t.client)
	go t.pipe(t.client, t.backend)
	select {
	case err := <-t.errc:
		log.Printf("tunnel error: %v", err)
	case <-time.After(timeout):
	}
	t.client.Close()
	t.backend.Close()
	t.wg.Wait()
}

// The fix: room for both copiers.
type fsTunnelFixed struct {
	client, backend io.ReadWriteCloser
	errc            chan error
	wg              sync.WaitGroup
}

func newFSTunnelFixed(c, b io.ReadWriteCloser) *fsTunnelFixed {
	return &fsTunnelFixed{client: c, backend: b, errc: make(chan error, 2)}
}

func (t *fsTunnelFixed) pipe(dst io.Writer, src io.Reader) {
	defer t.wg.Done()
	_, err := io.Copy(dst, src)
	t.errc <- err
}

func (t *fsTunnelFixed) run(timeout time.Duration) {
	t.wg.Add(2)
	go t.pipe(t.backend, t.client)
	go t.pipe(t.client, t.backend)
	select {
	case err := <-t.errc:
		log.Printf("tunnel error: %v", err)
	case <-time.After(timeout):
	}
	t.client.Close()
	t.backend.Close()
	t.wg.Wait()
}

// Look-alike: two senders, room for one, but the receiver takes one
// value and then waits for the other with a plain receive: it never
// leaves without receiving; silent.
type fsPair struct {
	errc chan error
	a, b func() error
}

func newFSPair(a, b func() error) *fsPair {
	return &fsPair{a: a, b: b, errc: make(chan error, 1)}
}

func (p *fsPair) runA() { p.errc <- p.a() }
func (p *fsPair) runB() { p.errc <- p.b() }

func (p *fsPair) wait() error {
	go p.runA()
	go p.runB()
	err := <-p.errc
	if err2 := <-p.errc; err == nil {
		err = err2
	}
	return err
}

// nci/gsky#227 with the stage's channels in fields: Render starts run
// once, which starts a worker per tile; each worker reports its failure
// through fail, once, on s.errs (room for 16). Render returns on the
// first error or its context, and every failing worker past the
// sixteenth blocks in fail, so run's Wait never returns. Fix: fail
// sends in a select on the stage's context.
type fsTile struct{ path string }

type fsStage struct {
	ctx    context.Context
	render func(context.Context, fsTile) ([]byte, error)
	out    chan []byte
	errs   chan error
	wg     sync.WaitGroup
}

func newFSStage(ctx context.Context, render func(context.Context, fsTile) ([]byte, error)) *fsStage {
	return &fsStage{ctx: ctx, render: render, out: make(chan []byte, 16), errs: make(chan error, 16)}
}

func (s *fsStage) fail(err error) {
	log.Printf("tile failed: %v", err)
	s.errs <- err // want `goroutines that Render starts in a loop no count bounds \(line \d+, in run\) each send once on field errs, made with room for 16`
}

func (s *fsStage) process(t fsTile) {
	defer s.wg.Done()
	b, err := s.render(s.ctx, t)
	if err != nil {
		s.fail(err)
		return
	}
	select {
	case s.out <- b:
	case <-s.ctx.Done():
	}
}

func (s *fsStage) run(tiles []fsTile) {
	defer close(s.out)
	for _, t := range tiles {
		s.wg.Add(1)
		go s.process(t)
	}
	s.wg.Wait()
}

func (s *fsStage) Render(tiles []fsTile) ([][]byte, error) {
	go s.run(tiles)
	var res [][]byte
	for {
		select {
		case b, ok := <-s.out:
			if !ok {
				return res, nil
			}
			res = append(res, b)
		case err := <-s.errs:
			return nil, err
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
}

// The fix: fail gives up on the stage's context.
type fsStageFixed struct {
	ctx    context.Context
	render func(context.Context, fsTile) ([]byte, error)
	out    chan []byte
	errs   chan error
	wg     sync.WaitGroup
}

func newFSStageFixed(ctx context.Context, render func(context.Context, fsTile) ([]byte, error)) *fsStageFixed {
	return &fsStageFixed{ctx: ctx, render: render, out: make(chan []byte, 16), errs: make(chan error, 16)}
}

func (s *fsStageFixed) fail(err error) {
	select {
	case s.errs <- err:
	case <-s.ctx.Done():
	}
}

func (s *fsStageFixed) process(t fsTile) {
	defer s.wg.Done()
	b, err := s.render(s.ctx, t)
	if err != nil {
		s.fail(err)
		return
	}
	select {
	case s.out <- b:
	case <-s.ctx.Done():
	}
}

func (s *fsStageFixed) run(tiles []fsTile) {
	defer close(s.out)
	for _, t := range tiles {
		s.wg.Add(1)
		go s.process(t)
	}
	s.wg.Wait()
}

func (s *fsStageFixed) Render(tiles []fsTile) ([][]byte, error) {
	go s.run(tiles)
	var res [][]byte
	for {
		select {
		case b, ok := <-s.out:
			if !ok {
				return res, nil
			}
			res = append(res, b)
		case err := <-s.errs:
			return nil, err
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
}

// Look-alike: a fixed pool of four workers, room for four errors: every
// worker's one send finds room; silent.
type fsPool struct {
	errs chan error
	work func(int) error
}

func newFSPool(work func(int) error) *fsPool {
	return &fsPool{work: work, errs: make(chan error, 4)}
}

func (p *fsPool) report(err error) { p.errs <- err }

func (p *fsPool) worker(i int) {
	if err := p.work(i); err != nil {
		p.report(err)
	}
}

func (p *fsPool) start() {
	for i := 0; i < 4; i++ {
		go p.worker(i)
	}
}

func (p *fsPool) Run(ctx context.Context) error {
	go p.start()
	select {
	case err := <-p.errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// e2b-dev/infra#343 with the fatal send in a helper method: each request
// goroutine reports its failure through reportFatal, once, on d.fatal
// (room for 4); Serve leaves on the first error or its context, and the
// fifth failing request blocks before pending.Done, so Drain hangs. Fix:
// reportFatal offers the error with a default.
type fsRequest struct {
	off  int64
	data []byte
}

type fsDispatcher struct {
	write   func(int64, []byte) error
	pending sync.WaitGroup
	fatal   chan error
}

func newFSDispatcher(write func(int64, []byte) error) *fsDispatcher {
	return &fsDispatcher{write: write, fatal: make(chan error, 4)}
}

func (d *fsDispatcher) reportFatal(err error) {
	d.fatal <- err // want `goroutines that Serve starts in a loop no count bounds \(line \d+\) each send once on field fatal, made with room for 4`
}

func (d *fsDispatcher) handle(r fsRequest) {
	defer d.pending.Done()
	if err := d.write(r.off, r.data); err != nil {
		d.reportFatal(err)
	}
}

func (d *fsDispatcher) Serve(ctx context.Context, reqs <-chan fsRequest) error {
	for {
		select {
		case err := <-d.fatal:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case r, ok := <-reqs:
			if !ok {
				return nil
			}
			d.pending.Add(1)
			go d.handle(r)
		}
	}
}

func (d *fsDispatcher) Drain() { d.pending.Wait() }

// The fix: reportFatal drops the error when the channel is full.
type fsDispatcherFixed struct {
	write   func(int64, []byte) error
	pending sync.WaitGroup
	fatal   chan error
}

func newFSDispatcherFixed(write func(int64, []byte) error) *fsDispatcherFixed {
	return &fsDispatcherFixed{write: write, fatal: make(chan error, 4)}
}

func (d *fsDispatcherFixed) reportFatal(err error) {
	select {
	case d.fatal <- err:
	default:
	}
}

func (d *fsDispatcherFixed) handle(r fsRequest) {
	defer d.pending.Done()
	if err := d.write(r.off, r.data); err != nil {
		d.reportFatal(err)
	}
}

func (d *fsDispatcherFixed) Serve(ctx context.Context, reqs <-chan fsRequest) error {
	for {
		select {
		case err := <-d.fatal:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case r, ok := <-reqs:
			if !ok {
				return nil
			}
			d.pending.Add(1)
			go d.handle(r)
		}
	}
}

func (d *fsDispatcherFixed) Drain() { d.pending.Wait() }

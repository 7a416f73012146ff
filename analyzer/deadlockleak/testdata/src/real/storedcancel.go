package real

import (
	"context"
	"errors"
	"io"
	"sync"
)

// A cancel kept only in a field, for an optional Cancel, by a function
// that runs its work to the end and returns without calling it, while a
// goroutine started down its calls waits for the context's Done (after
// thanos-io/promql-engine#94, written three other ways).

// Variant 1: an interface of stages; one scStage starts, once, a watcher
// that releases its reader when the context ends.
type scStage interface {
	Read(ctx context.Context) ([]byte, error)
}

type scReaderStage struct {
	once sync.Once
	r    io.ReadCloser
}

func (s *scReaderStage) closeOnCancel(ctx context.Context) {
	<-ctx.Done()
	s.r.Close()
}

func (s *scReaderStage) Read(ctx context.Context) ([]byte, error) {
	s.once.Do(func() {
		go s.closeOnCancel(ctx)
	})
	buf := make([]byte, 512)
	n, err := s.r.Read(buf)
	return buf[:n], err
}

type scRun struct {
	stages []scStage
	stop   context.CancelFunc
}

func newScRun(rs []io.ReadCloser) *scRun {
	r := &scRun{}
	for _, x := range rs {
		r.stages = append(r.stages, &scReaderStage{r: x})
	}
	return r
}

func (r *scRun) All(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	r.stop = cancel // want `the cancel of this context is only kept in field stop, which All never calls: when it returns, nothing but the parent's end cancels the context, and every call leaves the goroutine started at line \d+ waiting for its Done`
	var out []byte
	for _, s := range r.stages {
		b, err := s.Read(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Cancel interrupts a running All.
func (r *scRun) Cancel() {
	if r.stop != nil {
		r.stop()
	}
}

// Look-alike: the same run, cancelling when it returns too.
func (r *scRun) AllFixed(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.stop = cancel
	var out []byte
	for _, s := range r.stages {
		b, err := s.Read(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Variant 2: the cancel assigned straight into the field, a concrete
// helper chain, and an inline watcher capturing the context.
type scFetcher struct {
	abort context.CancelCauseFunc
	conns chan io.Closer
}

func scWatchConn(ctx context.Context, c io.Closer) {
	go func() {
		<-ctx.Done()
		c.Close()
	}()
}

func (f *scFetcher) dial(ctx context.Context) (io.Closer, error) {
	c := <-f.conns
	scWatchConn(ctx, c)
	return c, nil
}

func (f *scFetcher) Fetch(ctx context.Context) error {
	var ctx2 context.Context
	ctx2, f.abort = context.WithCancelCause(ctx) // want `the cancel of this context is only kept in field abort, which Fetch never calls`
	_, err := f.dial(ctx2)
	return err
}

// Abort interrupts a running Fetch.
func (f *scFetcher) Abort() { f.abort(errors.New("aborted")) }

// Look-alike: a deadline ends the context by itself.
type scTimedFetcher struct {
	cancel context.CancelFunc
	f      *scFetcher
}

func (t *scTimedFetcher) Fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 0)
	t.cancel = cancel
	_, err := t.f.dial(ctx)
	return err
}

// Variant 3: a value receiver's pointer field, the watcher started by a
// method value with the context as its argument.
type scHandle struct{ st *scSession }

type scSession struct {
	kill context.CancelFunc
	out  chan string
}

func (s *scSession) reap(ctx context.Context, name string) {
	<-ctx.Done()
	s.out <- name
}

func (s *scSession) open(ctx context.Context, name string) {
	go s.reap(ctx, name)
}

func (h scHandle) Query(ctx context.Context, q string) string {
	ctx, cancel := context.WithCancel(ctx)
	h.st.kill = cancel // want `the cancel of this context is only kept in field kill, which Query never calls`
	h.st.open(ctx, q)
	return q
}

// Kill interrupts a running Query.
func (h scHandle) Kill() { h.st.kill() }

// Look-alike: the field's cancel is the owner's to call when done with
// it (Close), a lifecycle, not an interruption.
type scPool struct {
	cancel context.CancelFunc
	st     *scSession
}

func (p *scPool) Open(ctx context.Context, name string) {
	ctx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	p.st.open(ctx, name)
}

// Close ends the pool.
func (p *scPool) Close() { p.cancel() }

// Look-alike: the function starts the goroutine itself (Start/Stop), the
// context living as long as the owner.
type scTicker struct {
	cancel context.CancelFunc
	st     *scSession
}

func (t *scTicker) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	t.cancel = cancel
	go t.st.reap(ctx, "tick")
}

// Cancel stops the ticker.
func (t *scTicker) Cancel() { t.cancel() }

// Look-alike: the watcher can leave through another channel too.
type scQuitStage struct{ quit chan struct{} }

func (q *scQuitStage) watch(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
		case <-q.quit:
		}
	}()
}

type scQuitRun struct {
	cancel context.CancelFunc
	q      *scQuitStage
}

func (r *scQuitRun) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	r.cancel = cancel
	r.q.watch(ctx)
}

// Cancel interrupts Run.
func (r *scQuitRun) Cancel() { r.cancel() }

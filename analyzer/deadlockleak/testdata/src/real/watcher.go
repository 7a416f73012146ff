package real

import (
	"context"
	"errors"
	"log"
	"sync"
)

// Upstream: numaproj/numaflow-go#213
//
// Bug: Start makes an unbuffered shutdown channel, hands it to the
// service in a field, and starts a watcher goroutine that selects once on
// it and on the context, then stops the server. A failing handler signals
// with a plain send: after the context won (or after another handler's
// signal was taken) nobody receives, and the handler blocks forever,
// holding up the graceful stop that waits for it. Fix: a buffer of one
// and a send in a select with a default.
type mapService struct {
	fn         func(int) (int, error)
	shutdownCh chan<- struct{}
}

func (s *mapService) Map(v int) (int, error) {
	out, err := s.fn(v)
	if err != nil {
		s.shutdownCh <- struct{}{} // want `this plain send signals on field shutdownCh, and startMapServer fills that field with an unbuffered channel \(line \d+\) whose only receive is in the goroutine it starts \(startMapServer\$1\), in a select \(line \d+\) that can take another case and return \(line \d+\)`
		return 0, err
	}
	return out, nil
}

type mapServer struct {
	svc      *mapService
	inflight sync.WaitGroup
	stop     chan struct{}
	once     sync.Once
}

func (s *mapServer) serve(reqs <-chan int) {
	for {
		select {
		case <-s.stop:
			return
		case v, ok := <-reqs:
			if !ok {
				return
			}
			s.inflight.Add(1)
			go func() {
				defer s.inflight.Done()
				s.svc.Map(v)
			}()
		}
	}
}

func (s *mapServer) gracefulStop() {
	s.once.Do(func() { close(s.stop) })
	s.inflight.Wait()
}

func startMapServer(ctx context.Context, fn func(int) (int, error), reqs <-chan int) {
	shutdownCh := make(chan struct{})
	srv := &mapServer{svc: &mapService{fn: fn, shutdownCh: shutdownCh}, stop: make(chan struct{})}
	go func() {
		select {
		case <-shutdownCh:
			log.Print("handler failed")
		case <-ctx.Done():
			log.Print("signal")
		}
		srv.gracefulStop()
	}()
	srv.serve(reqs)
}

// Fixed: a buffer of one, and a send that gives up when it is full.
type mapServiceFixed struct {
	fn         func(int) (int, error)
	shutdownCh chan<- struct{}
}

func (s *mapServiceFixed) Map(v int) (int, error) {
	out, err := s.fn(v)
	if err != nil {
		select {
		case s.shutdownCh <- struct{}{}:
		default:
		}
		return 0, err
	}
	return out, nil
}

func startMapServerFixed(ctx context.Context, fn func(int) (int, error), vals []int) {
	shutdownCh := make(chan struct{}, 1)
	svc := &mapServiceFixed{fn: fn, shutdownCh: shutdownCh}
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-shutdownCh:
		case <-ctx.Done():
		}
	}()
	for _, v := range vals {
		svc.Map(v)
	}
	<-done
}

// The watcher waits for the signal alone: every send is taken once.
type errReporter struct {
	errs chan<- error
}

func (r *errReporter) report(err error) {
	r.errs <- err
}

func runReporter(work func(*errReporter)) error {
	errs := make(chan error)
	r := &errReporter{errs: errs}
	var first error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for err := range errs {
			if first == nil {
				first = err
			}
		}
	}()
	work(r)
	close(errs)
	<-done
	return first
}

// The sender gives up with the watcher: it selects on the same context.
type ctxSignaller struct {
	ch  chan<- struct{}
	ctx context.Context
}

func (s *ctxSignaller) signal() {
	select {
	case s.ch <- struct{}{}:
	case <-s.ctx.Done():
	}
}

func startCtxSignaller(ctx context.Context, work func(*ctxSignaller)) error {
	ch := make(chan struct{})
	s := &ctxSignaller{ch: ch, ctx: ctx}
	go func() {
		select {
		case <-ch:
		case <-ctx.Done():
		}
	}()
	work(s)
	return errors.New("stopped")
}

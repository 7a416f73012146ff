package real

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// sabloger/sitemap-generator#10: saveSitemaps starts a goroutine per
// sitemap, counted with wg.Add(1); the goroutine calls wg.Done at its end
// but returns early when saving fails, so the count never reaches zero and
// wg.Wait never returns. Fix: `defer wg.Done()` first thing in the
// goroutine. (Done missing on an early-return path.)
func sitemapSave(maps []string, save func(string) error) {
	var wg sync.WaitGroup
	for _, m := range maps {
		wg.Add(1)
		go func() {
			if err := save(m); err != nil {
				return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done \(it calls it at line \d+ on other paths\)`
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

func sitemapSaveFixed(maps []string, save func(string) error) {
	var wg sync.WaitGroup
	for _, m := range maps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := save(m); err != nil {
				return
			}
		}()
	}
	wg.Wait()
}

// fatih/semgroup#2: Go counted the task with wg.Add(1) before acquiring
// the semaphore, and returned the acquire's error without starting the
// goroutine that would call Done, so the group's Wait blocked forever.
// Fix: call Done when the acquire fails. (Add not matched on a path.)
type weighted struct{ c chan struct{} }

func newWeighted(n int) *weighted { return &weighted{c: make(chan struct{}, n)} }

func (w *weighted) Acquire(ctx context.Context) error {
	select {
	case w.c <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *weighted) Release() { <-w.c }

type semGroup struct {
	wg   sync.WaitGroup
	sem  *weighted
	errs []error
}

func (g *semGroup) Go(ctx context.Context, f func() error) error {
	g.wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return at line \d+: no goroutine is started, no work is handed off and Done is not called on it`
	if err := g.sem.Acquire(ctx); err != nil {
		return err
	}
	go func() {
		defer g.sem.Release()
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errs = append(g.errs, err)
		}
	}()
	return nil
}

func (g *semGroup) Wait() { g.wg.Wait() }

type semGroupFixed struct {
	wg   sync.WaitGroup
	sem  *weighted
	errs []error
}

func (g *semGroupFixed) Go(ctx context.Context, f func() error) error {
	g.wg.Add(1)
	if err := g.sem.Acquire(ctx); err != nil {
		g.wg.Done()
		return err
	}
	go func() {
		defer g.sem.Release()
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errs = append(g.errs, err)
		}
	}()
	return nil
}

func (g *semGroupFixed) Wait() { g.wg.Wait() }

// The look-alikes: Add in a loop that skips a job with `continue` after
// it calls Done; a goroutine that hands the WaitGroup to a helper on its
// early path; a Begin/End pair (the Add's function starts no goroutine).
func skipBad(jobs []string, run func(string)) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		if j == "" {
			wg.Done()
			continue
		}
		go func() {
			defer wg.Done()
			run(j)
		}()
	}
	wg.Wait()
}

// The kernel's variant of the semgroup bug (ours): the loop skips a job
// after counting it.
func skipBadLeaky(jobs []string, run func(string)) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the (Add again|Wait) at line \d+`
		if j == "" {
			continue
		}
		go func() {
			defer wg.Done()
			run(j)
		}()
	}
	wg.Wait()
}

func finish(wg *sync.WaitGroup) { wg.Done() }

func handsOver(ok bool) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if !ok {
			finish(&wg)
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

type tracker struct{ wg sync.WaitGroup }

func (t *tracker) Begin() error {
	t.wg.Add(1)
	if errors.Is(nil, nil) {
		return nil
	}
	return errors.New("x")
}

func (t *tracker) End() { t.wg.Done() }

func (t *tracker) Wait() { t.wg.Wait() }

// gridscale/gscloud#159 ("Only close channel after tasks have finished"):
// the goroutine that waits for the tasks and then closes the results
// channel was started before the loop that counts the tasks with
// wg.Add(1), so its Wait could see a zero count and close the channel
// before the tasks even started. Fix: count the tasks first. (Add after
// Wait has started.)
func gscloudLoad(ids []string, fetch func(string) string) []string {
	out := make(chan string)
	var wg sync.WaitGroup
	go func() {
		wg.Wait()
		close(out)
	}()
	for _, id := range ids {
		wg.Add(1) // want `this wg.Add runs after the goroutine started at line \d+ may already be in wg.Wait \(line \d+\) with the count at zero`
		go func() {
			defer wg.Done()
			out <- fetch(id)
		}()
	}
	var res []string
	for r := range out {
		res = append(res, r)
	}
	return res
}

func gscloudLoadFixed(ids []string, fetch func(string) string) []string {
	out := make(chan string)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- fetch(id)
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	var res []string
	for r := range out {
		res = append(res, r)
	}
	return res
}

// A guard count taken before the waiter starts keeps the count above zero
// until the parent has added everything.
func guardedAdds(ids []string, fetch func(string)) {
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fetch(id)
		}()
	}
	wg.Done()
	<-done
}

// grpc-go's Server.Serve (a false positive once): the Add is matched by a
// deferred function literal that calls Done, and go/ssa keeps the receiver
// in a local variable because of the defers, so the literal captures that
// variable rather than the receiver itself.
type server struct {
	serveWG sync.WaitGroup
	mu      sync.Mutex
	lis     map[int]bool
}

func (s *server) Serve(accept func() (int, error)) error {
	s.mu.Lock()
	if s.lis == nil {
		s.mu.Unlock()
		return errors.New("stopped")
	}
	s.serveWG.Add(1)
	defer func() {
		s.serveWG.Done()
	}()
	s.mu.Unlock()
	for {
		c, err := accept()
		if err != nil {
			return err
		}
		go func() { _ = c }()
	}
}

func (s *server) Stop() { s.serveWG.Wait() }

// nats-server's gateway_test.go reload stress (a false positive
// once): a goroutine ranges over a ticker's channel, which is never
// closed, and calls Done where it returns on ctx.Done; the end of the
// range is not a way out.
func tickerWorkers(ctx context.Context, work func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for range time.NewTicker(time.Millisecond).C {
			select {
			case <-ctx.Done():
				wg.Done()
				return
			default:
			}
			work()
		}
	}()
	wg.Wait()
}

// grpc-go's Server.serveStreams (a false positive once): the counted work
// is a function literal that calls Done, handed to a worker over a channel
// when one is free (and the function returns), run in a new goroutine
// otherwise.
type streamServer struct {
	handlersWG sync.WaitGroup
	workers    chan func()
}

func (s *streamServer) serveStreams(streams []string, serve func(string)) {
	defer fmt.Println("done")
	each(streams, func(stream string) {
		s.handlersWG.Add(1)
		f := func() {
			defer s.handlersWG.Done()
			serve(stream)
		}
		select {
		case s.workers <- f:
			return
		default:
		}
		go f()
	})
}

func each(xs []string, f func(string)) {
	for _, x := range xs {
		f(x)
	}
}

func (s *streamServer) worker() {
	for f := range s.workers {
		f()
	}
}

func newStreamServer() *streamServer {
	s := &streamServer{workers: make(chan func())}
	go s.worker()
	return s
}

func (s *streamServer) Stop() {
	close(s.workers)
	s.handlersWG.Wait()
}

// A worker pool's Submit (ours, the "Add, then the enqueue fails" shape of
// issue 14): the task is counted before it is offered to the workers, and
// when the context is done first Submit returns without the Done the
// worker would have called: Wait never returns. Fix: Done on that path.
type jobPool struct {
	wg   sync.WaitGroup
	jobs chan func()
}

func newJobPool(n int) *jobPool {
	p := &jobPool{jobs: make(chan func())}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *jobPool) worker() {
	for f := range p.jobs {
		f()
		p.wg.Done()
	}
}

func (p *jobPool) Submit(ctx context.Context, f func()) error {
	p.wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return at line \d+: no goroutine is started, no work is handed off`
	select {
	case p.jobs <- f:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TrySubmit's full queue is the same path.
func (p *jobPool) TrySubmit(f func()) bool {
	p.wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return at line \d+`
	select {
	case p.jobs <- f:
		return true
	default:
		return false
	}
}

func (p *jobPool) Close() {
	p.wg.Wait()
	close(p.jobs)
}

type jobPoolFixed struct {
	wg   sync.WaitGroup
	jobs chan func()
}

func newJobPoolFixed(n int) *jobPoolFixed {
	p := &jobPoolFixed{jobs: make(chan func())}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *jobPoolFixed) worker() {
	for f := range p.jobs {
		f()
		p.wg.Done()
	}
}

func (p *jobPoolFixed) Submit(ctx context.Context, f func()) error {
	p.wg.Add(1)
	select {
	case p.jobs <- f:
		return nil
	case <-ctx.Done():
		p.wg.Done()
		return ctx.Err()
	}
}

func (p *jobPoolFixed) Enqueue(f func()) {
	p.wg.Add(1)
	p.jobs <- f
}

func (p *jobPoolFixed) Close() {
	p.wg.Wait()
	close(p.jobs)
}

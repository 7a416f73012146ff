package real

import (
	"context"
	"errors"
)

// The unguarded send after a select that returns on a stop signal, outside
// any loop: the function waits for its work or the stop, and in the work's
// case sends plainly on a channel whose receiver may be gone by then.

// Upstream: kubernetes/kubernetes#25331. run waits for the watch's error
// or the context; on the error it sends an error event on resultChan,
// which ResultChan hands to the consumer, who may stop reading and cancel
// without draining: the send blocks forever. Fix: select on ctx.Done too.
type etcdWatch struct {
	ctx     context.Context
	cancel  context.CancelFunc
	errc    chan error
	results chan string
}

func (w *etcdWatch) forward(in <-chan string) {
	for v := range in {
		select {
		case w.results <- v:
		case <-w.ctx.Done():
			return
		}
	}
}

func (w *etcdWatch) run() {
	select {
	case err := <-w.errc:
		w.results <- "ERROR: " + err.Error() // want `run returns when the case at line \d+ fires, but this send on field results does not watch it; ResultChan hands that channel to its caller`
		w.cancel()
	case <-w.ctx.Done():
	}
	close(w.results)
}

func (w *etcdWatch) runFixed() {
	select {
	case err := <-w.errc:
		select {
		case w.results <- "ERROR: " + err.Error():
		case <-w.ctx.Done():
		}
		w.cancel()
	case <-w.ctx.Done():
	}
	close(w.results)
}

func (w *etcdWatch) ResultChan() <-chan string { return w.results }

// A variant: a one-shot prober waits for its probe or the quit channel,
// then reports on an exported channel of an exported type that the
// package fills, whose users stop receiving when they are done.
type Prober struct {
	Results chan error
	quit    chan struct{}
}

func NewProber() *Prober {
	return &Prober{Results: make(chan error), quit: make(chan struct{})}
}

func (p *Prober) once(probe <-chan error) {
	var err error
	select {
	case err = <-probe:
	case <-p.quit:
		return
	}
	if err == nil {
		err = errors.New("probe ok")
	}
	p.Results <- err // want `once returns when the case at line \d+ fires, but this send on Prober.Results does not watch it`
}

func (p *Prober) Stop() { close(p.quit) }

// The look-alike sends only in the stop case's own body, and on a private
// field nothing hands out: silent.
type lastValue struct {
	quit chan struct{}
	last chan int
}

func (d *lastValue) wait(in <-chan int) {
	select {
	case v := <-in:
		d.last <- v
	case <-d.quit:
		d.last <- -1
		return
	}
}

func (d *lastValue) take() int { return <-d.last }

// A variant with the evidence in another function: the relay's pump
// guards its sends on out with the context, but the final error report
// after the select does not; nothing hands out is needed to see that the
// receiver can leave.
type fanRelay struct {
	ctx  context.Context
	errs chan error
	out  chan int
}

func (r *fanRelay) pump(in <-chan int) {
	for v := range in {
		select {
		case r.out <- v:
		case <-r.ctx.Done():
			return
		}
	}
}

func (r *fanRelay) watch() {
	select {
	case err := <-r.errs:
		_ = err
		r.out <- -1 // want `watch returns when the case at line \d+ fires, but this send on field out does not watch it, while pump sends on that field in a select that watches a stop signal`
	case <-r.ctx.Done():
	}
}

func (r *fanRelay) consume(ctx context.Context) int {
	select {
	case v := <-r.out:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Look-alike: the same relay shape where no send on the field watches a
// stop signal and nothing hands the field out: silent.
type plainRelay struct {
	ctx  context.Context
	errs chan error
	out  chan int
}

func (r *plainRelay) watch() {
	select {
	case <-r.errs:
		r.out <- -1
	case <-r.ctx.Done():
	}
}

func (r *plainRelay) take() int { return <-r.out }

// A look-alike (afex/hystrix-go#7's fixed command): the timer's goroutine
// waits for the command to finish or for its timeout, and on the timeout
// reports once on the error channel Go returns; that channel has room for
// the one report, so the send completes whether or not anyone receives.
type command struct {
	errChan  chan error
	finished chan bool
}

func (c *command) report(err error) {
	if err != nil {
		c.errChan <- err
	}
	close(c.errChan)
}

func goCommand(run func() error, timeout <-chan struct{}) chan error {
	cmd := &command{errChan: make(chan error, 1), finished: make(chan bool, 1)}
	go func() {
		cmd.report(run())
		cmd.finished <- true
	}()
	go func() {
		select {
		case <-cmd.finished:
		case <-timeout:
			cmd.report(errors.New("timeout"))
		}
	}()
	return cmd.errChan
}

// A variant: the result channel has a buffer, but the forwarding loop can
// fill it, so the one send after the select may still find it full once
// the consumer has gone.
type bufWatch struct {
	ctx     context.Context
	errc    chan error
	results chan string
}

func newBufWatch(ctx context.Context) *bufWatch {
	return &bufWatch{ctx: ctx, errc: make(chan error, 1), results: make(chan string, 100)}
}

func (w *bufWatch) forward(in <-chan string) {
	for v := range in {
		select {
		case w.results <- v:
		case <-w.ctx.Done():
			return
		}
	}
}

func (w *bufWatch) run() {
	select {
	case err := <-w.errc:
		w.results <- err.Error() // want `run returns when the case at line \d+ fires, but this send on field results does not watch it`
	case <-w.ctx.Done():
	}
	close(w.results)
}

func (w *bufWatch) Results() <-chan string { return w.results }

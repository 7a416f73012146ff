package real

import (
	"context"
	"errors"
	"sync"
)

// A buffered channel field whose senders the receiver starts, in a loop
// no count bounds, through helpers: each sends once, and once the
// receiver has returned only the buffer's room is left for them.

// Upstream: e2b-dev/infra#343. The NBD dispatcher's request loop hands
// each request to cmdRead or cmdWrite, which start a goroutine that, on
// a failure, sends the error on the fatal channel (room for 8) and then
// marks the request done. Handle polls fatal between requests and returns
// on the first error, its context or the end of the requests; nothing
// receives from fatal after that, so the ninth failing request blocks on
// its send before Done, and Drain's Wait never returns. Fix: the
// goroutines offer the error in a select with a default that logs it.
type nbdRequest struct {
	write  bool
	handle uint64
}

type nbdDispatch struct {
	pending sync.WaitGroup
	fatal   chan error
	do      func(uint64) error
}

func newNBDDispatch(do func(uint64) error) *nbdDispatch {
	return &nbdDispatch{do: do, fatal: make(chan error, 8)}
}

func (d *nbdDispatch) Drain() { d.pending.Wait() }

func (d *nbdDispatch) Handle(ctx context.Context, reqs <-chan nbdRequest) error {
	for {
		select {
		case err := <-d.fatal:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case req, ok := <-reqs:
			if !ok {
				return nil
			}
			if req.write {
				d.cmdWrite(req.handle)
			} else {
				d.cmdRead(req.handle)
			}
		}
	}
}

func (d *nbdDispatch) cmdRead(handle uint64) {
	d.pending.Add(1)
	go func() {
		if err := d.do(handle); err != nil {
			d.fatal <- err // want `goroutines that Handle starts in a loop no count bounds \(line \d+, through cmdRead\) each send once on field fatal, made with room for 8`
		}
		d.pending.Done()
	}()
}

func (d *nbdDispatch) cmdWrite(handle uint64) {
	d.pending.Add(1)
	go func() {
		if err := d.do(handle); err != nil {
			d.fatal <- err // want `goroutines that Handle starts in a loop no count bounds \(line \d+, through cmdWrite\) each send once on field fatal, made with room for 8`
		}
		d.pending.Done()
	}()
}

// The fix: the goroutines offer the error and drop it when the channel is
// full.
type nbdDispatchFixed struct {
	pending sync.WaitGroup
	fatal   chan error
	do      func(uint64) error
	dropped int
}

func newNBDDispatchFixed(do func(uint64) error) *nbdDispatchFixed {
	return &nbdDispatchFixed{do: do, fatal: make(chan error, 8)}
}

func (d *nbdDispatchFixed) Handle(ctx context.Context, reqs <-chan nbdRequest) error {
	for {
		select {
		case err := <-d.fatal:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case req, ok := <-reqs:
			if !ok {
				return nil
			}
			d.cmd(req.handle)
		}
	}
}

func (d *nbdDispatchFixed) cmd(handle uint64) {
	d.pending.Add(1)
	go func() {
		if err := d.do(handle); err != nil {
			select {
			case d.fatal <- err:
			default:
			}
		}
		d.pending.Done()
	}()
}

// The senders are started in a loop over a slice the caller passes: the
// constant buffer (room for 4) cannot match its length, and once Run has
// left on its context every sender past the fourth blocks forever
// (session 25: this was a look-alike while slice ranges counted as bounds).
type batchRunner struct {
	errs chan error
	do   func(string) error
}

func newBatchRunner(do func(string) error) *batchRunner {
	return &batchRunner{do: do, errs: make(chan error, 4)}
}

func (b *batchRunner) Run(ctx context.Context, items []string) error {
	for _, it := range items {
		b.start(it)
	}
	select {
	case err := <-b.errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batchRunner) start(it string) {
	go func() {
		if err := b.do(it); err != nil {
			b.errs <- err // want `goroutines that Run starts in a loop no count bounds \(line \d+, through start\) each send once on field errs, made with room for 4`
		}
	}()
}

// Look-alike: the senders are started in a loop over the first four items
// only, a count the buffer holds; silent.
type headRunner struct {
	errs chan error
	do   func(string) error
}

func newHeadRunner(do func(string) error) *headRunner {
	return &headRunner{do: do, errs: make(chan error, 4)}
}

func (b *headRunner) Run(ctx context.Context, items []string) error {
	if len(items) > 4 {
		items = items[:4]
	}
	for i := 0; i < 4 && i < len(items); i++ {
		b.start(items[i])
	}
	select {
	case err := <-b.errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *headRunner) start(it string) {
	go func() {
		if err := b.do(it); err != nil {
			b.errs <- err
		}
	}()
}

// Look-alike: the loop starts the next sender only after it took a value
// from the channel (one in flight at a time); silent.
type pacedRunner struct {
	done chan error
	do   func(int) error
}

func newPacedRunner(do func(int) error) *pacedRunner {
	return &pacedRunner{do: do, done: make(chan error, 1)}
}

func (p *pacedRunner) Run(ctx context.Context, jobs <-chan int) error {
	p.start(<-jobs)
	for {
		select {
		case err := <-p.done:
			if err != nil {
				return err
			}
			j, ok := <-jobs
			if !ok {
				return nil
			}
			p.start(j)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *pacedRunner) start(j int) {
	go func() {
		p.done <- p.do(j)
	}()
}

// Look-alike: the receiver ranges over the channel, which the starter
// closes once its senders are done: no way out without receiving; silent.
type rangedErrs struct {
	errs chan error
	wg   sync.WaitGroup
}

func newRangedErrs() *rangedErrs { return &rangedErrs{errs: make(chan error, 8)} }

var errRanged = errors.New("ranged")

func (r *rangedErrs) Collect(jobs <-chan int) []error {
	go func() {
		for j := range jobs {
			r.start(j)
		}
		r.wg.Wait()
		close(r.errs)
	}()
	var out []error
	for err := range r.errs {
		out = append(out, err)
	}
	return out
}

func (r *rangedErrs) start(j int) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if j < 0 {
			r.errs <- errRanged
		}
	}()
}

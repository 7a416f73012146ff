package real

import (
	"context"
	"log"
)

// Upstream: spacemeshos/poet#140: the service runs one round at a time in
// a goroutine, and a failed round writes its error to the service's error
// channel, which has room for ten; nothing in the package ever reads it.
// From the eleventh failure on, each failed round blocks on the send
// forever. Fix: the failure is logged instead.
type epochService struct {
	run      func(context.Context, int) error
	failures chan error
	next     chan int
}

func newEpochService(run func(context.Context, int) error) *epochService {
	return &epochService{run: run, failures: make(chan error, 10), next: make(chan int)}
}

func (s *epochService) execute(ctx context.Context, epoch int) {
	if err := s.run(ctx, epoch); err != nil {
		s.failures <- err // want `this send on field failures blocks forever once its buffer of 10 is full: nothing in the package receives from its channel, and the send repeats on the same instance \(line \d+\)`
	}
}

func (s *epochService) serve(ctx context.Context) {
	for {
		select {
		case e := <-s.next:
			go s.execute(ctx, e)
		case <-ctx.Done():
			return
		}
	}
}

// The fix: a failed round is logged, and the channel is gone.
type epochServiceFixed struct {
	run  func(context.Context, int) error
	next chan int
}

func (s *epochServiceFixed) execute(ctx context.Context, epoch int) {
	if err := s.run(ctx, epoch); err != nil {
		log.Printf("epoch %d: %v", epoch, err)
	}
}

func (s *epochServiceFixed) serve(ctx context.Context) {
	for {
		select {
		case e := <-s.next:
			go s.execute(ctx, e)
		case <-ctx.Done():
			return
		}
	}
}

// A variant written differently: an unbuffered notice channel that one
// method sends on once and nothing receives from; the first send blocks.
type reloader struct {
	reloaded chan struct{}
	load     func() error
}

func newReloader(load func() error) *reloader {
	r := &reloader{load: load}
	r.reloaded = make(chan struct{})
	return r
}

func (r *reloader) reload() error {
	if err := r.load(); err != nil {
		return err
	}
	r.reloaded <- struct{}{} // want `this send on field reloaded blocks forever: nothing in the package receives from its channel, which is made unbuffered`
	return nil
}

// A variant: the send itself loops over the same struct.
type sampler struct {
	samples chan int
}

func newSampler() *sampler { return &sampler{samples: make(chan int, 3)} }

func (s *sampler) record(xs []int) {
	for _, x := range xs {
		s.samples <- x // want `this send on field samples blocks forever once its buffer of 3 is full`
	}
}

// Look-alike: each job is a new struct whose buffer of one parks its one
// result; nothing reads it, but no send ever waits.
type parkedJob struct {
	result chan error
	do     func() error
}

func (j *parkedJob) run() { j.result <- j.do() }

func startParked(dos []func() error) {
	for _, do := range dos {
		j := &parkedJob{result: make(chan error, 1), do: do}
		go j.run()
	}
}

// Look-alike: the sender checks the buffer's room first.
type dropper struct {
	dropped chan string
}

func newDropper() *dropper { return &dropper{dropped: make(chan string, 2)} }

func (d *dropper) note(names []string) {
	for _, n := range names {
		if len(d.dropped) < cap(d.dropped) {
			d.dropped <- n
		}
	}
}

// Look-alike: the channel is handed out, so a receiver may live outside
// the package.
type notifier struct {
	events chan string
}

func newNotifier() *notifier { return &notifier{events: make(chan string, 1)} }

func (n *notifier) Events() <-chan string { return n.events }

func (n *notifier) publish(names []string) {
	for _, s := range names {
		n.events <- s
	}
}

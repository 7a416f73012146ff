package real

import (
	"errors"
	"time"
)

// go-co-op/gocron#835: the executor's stop sent its result on the
// executor's unbuffered done channel, while the scheduler, the only
// receiver, waited for it in a select with a timeout; when waiting for the
// jobs outlasted the timeout, the scheduler returned and the executor's
// send blocked forever. The issue proposes a buffered done channel, which
// the fixed kernel takes. (A channel in a struct field made elsewhere; the
// receiver in another type's method.)
type executor struct {
	done chan error
}

func newExecutor() *executor { return &executor{done: make(chan error)} }

func (e *executor) stop(wait func() bool) {
	if !wait() {
		e.done <- errors.New("timed out") // want `this send on an unbuffered channel \(field done\) has one receiver, the select in stopScheduler \(line \d+\), which can take another case and return first`
		return
	}
	e.done <- nil // want `this send on an unbuffered channel \(field done\) has one receiver, the select in stopScheduler`
}

type scheduler struct {
	exec *executor
}

func (s *scheduler) stopScheduler(timeout time.Duration) error {
	go s.exec.stop(func() bool { return true })
	select {
	case err := <-s.exec.done:
		return err
	case <-time.After(timeout):
		return errors.New("stop timed out")
	}
}

func (s *scheduler) Shutdown() error { return s.stopScheduler(time.Second) }

type executorFixed struct {
	done chan error
}

func newExecutorFixed() *executorFixed { return &executorFixed{done: make(chan error, 1)} }

func (e *executorFixed) stop(wait func() bool) {
	if !wait() {
		e.done <- errors.New("timed out")
		return
	}
	e.done <- nil
}

type schedulerFixed struct {
	exec *executorFixed
}

func (s *schedulerFixed) stopScheduler(timeout time.Duration) error {
	go s.exec.stop(func() bool { return true })
	select {
	case err := <-s.exec.done:
		return err
	case <-time.After(timeout):
		return errors.New("stop timed out")
	}
}

func (s *schedulerFixed) Shutdown() error { return s.stopScheduler(time.Second) }

// The look-alikes: a receiver called in a retry loop takes the value on
// a later round; a receiver without another case always takes it.
type retrier struct{ res chan int }

func newRetrier() *retrier { return &retrier{res: make(chan int)} }

func (r *retrier) produce() { r.res <- 1 }

func (r *retrier) poll() (int, bool) {
	select {
	case v := <-r.res:
		return v, true
	case <-time.After(time.Millisecond):
		return 0, false
	}
}

func (r *retrier) get() int {
	go r.produce()
	for {
		if v, ok := r.poll(); ok {
			return v
		}
	}
}

type plain struct{ res chan int }

func newPlain() *plain { return &plain{res: make(chan int)} }

func (p *plain) produce() { p.res <- 1 }

func (p *plain) get() int {
	go p.produce()
	return <-p.res
}

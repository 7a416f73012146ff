package real

import (
	"errors"
	"net"
	"os/exec"
	"sync"
)

// Upstream: tsgonest/tsgonest#144. A dev server's runner makes its done
// channel before it starts the process; only the goroutine that waits for
// the process closes it, and that goroutine is started after cmd.Start
// succeeds. When the start fails, Start returns with r.done made and
// never to be closed, and the next Wait (or Restart's stop) blocks
// forever. Fix (tsgonest/tsgonest#183): make the channel, with its
// closer, after everything that can fail.
type procRunner struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (r *procRunner) Start(bin string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(bin)
	r.done = make(chan struct{})
	if err := r.cmd.Start(); err != nil {
		return err
	}
	cmd, done := r.cmd, r.done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return nil
}

func (r *procRunner) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return
	}
	<-done // want `this receive waits on field done of procRunner, which Start makes at line \d+ and only the goroutine it starts at line \d+ closes or sends on, but the path that returns at line \d+ leaves the new channel in the field without starting it`
}

type procRunnerFixed struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (r *procRunnerFixed) Start(bin string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(bin)
	r.done = nil
	if err := r.cmd.Start(); err != nil {
		return err
	}
	r.done = make(chan struct{})
	cmd, done := r.cmd, r.done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return nil
}

func (r *procRunnerFixed) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return
	}
	<-done
}

// The same mistake written differently: a server whose Serve method,
// started as a goroutine, closes the stopped field when it returns, but
// Listen can fail first, and Shutdown waits for the close ...
type lineServer struct {
	ln      net.Listener
	stopped chan struct{}
}

func (s *lineServer) Start(addr string) error {
	s.stopped = make(chan struct{})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	go s.serve()
	return nil
}

func (s *lineServer) serve() {
	defer close(s.stopped)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func (s *lineServer) Shutdown() {
	if s.ln != nil {
		s.ln.Close()
	}
	<-s.stopped // want `this receive waits on field stopped of lineServer, which Start makes at line \d+ and only the goroutine it starts at line \d+ closes or sends on`
}

// ... and a job whose result channel gets its one value from the
// goroutine that runs it, started only after a validation that can fail.
type asyncJob struct {
	result chan error
}

var errNoSteps = errors.New("no steps")

func (j *asyncJob) Run(steps []func() error) error {
	j.result = make(chan error, 1)
	if len(steps) == 0 {
		return errNoSteps
	}
	go func() {
		for _, s := range steps {
			if err := s(); err != nil {
				j.result <- err
				return
			}
		}
		j.result <- nil
	}()
	return nil
}

func (j *asyncJob) Await() error {
	return <-j.result // want `this receive waits on field result of asyncJob, which Run makes at line \d+ and only the goroutine it starts at line \d+ closes or sends on`
}

// Look-alikes that must stay silent: the failing path puts nil back in
// the field (a waiter's nil test returns at once), and a closer started
// on every path.
type resetRunner struct {
	done chan struct{}
}

func (r *resetRunner) Start(cmd *exec.Cmd) error {
	r.done = make(chan struct{})
	if err := cmd.Start(); err != nil {
		r.done = nil
		return err
	}
	go func() {
		_ = cmd.Wait()
		close(r.done)
	}()
	return nil
}

func (r *resetRunner) Wait() {
	if r.done != nil {
		<-r.done
	}
}

type alwaysRunner struct {
	done chan struct{}
	err  error
}

func (r *alwaysRunner) Start(cmd *exec.Cmd) {
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		if err := cmd.Start(); err != nil {
			r.err = err
			return
		}
		r.err = cmd.Wait()
	}()
}

func (r *alwaysRunner) Wait() error {
	<-r.done
	return r.err
}

// Look-alikes that must stay silent: a counting semaphore made in the
// field before the workers start. Each worker takes a slot and gives it
// back; the give-back is a receive the worker itself runs after its own
// send, so it waits for nobody, and when no worker starts (no items, an
// early return) nothing receives at all. Written three ways: a worker
// method with a deferred literal ...
type fanOut struct {
	slots chan struct{}
	wg    sync.WaitGroup
}

func (f *fanOut) Execute(items []string, limit int) {
	f.slots = make(chan struct{}, limit)
	for _, it := range items {
		f.wg.Add(1)
		go f.push(it)
	}
	f.wg.Wait()
}

func (f *fanOut) push(it string) {
	defer f.wg.Done()
	f.slots <- struct{}{}
	defer func() { <-f.slots }()
	_ = it
}

// ... a goroutine literal that gives the slot back in line, after a guard
// that returns before any worker starts ...
type gatedRunner struct {
	gate chan bool
}

func (g *gatedRunner) Run(tasks []func() error, width int) error {
	g.gate = make(chan bool, width)
	if len(tasks) == 0 {
		return errNoSteps
	}
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.gate <- true
			_ = t()
			<-g.gate
		}()
	}
	wg.Wait()
	return nil
}

// ... and a release helper only the worker calls.
type pageFetcher struct {
	tokens chan int
	wg     sync.WaitGroup
}

func (f *pageFetcher) FetchAll(urls []string, width int) error {
	f.tokens = make(chan int, width)
	for _, u := range urls {
		if u == "" {
			return errNoSteps
		}
		f.wg.Add(1)
		go f.fetch(u)
	}
	f.wg.Wait()
	return nil
}

func (f *pageFetcher) fetch(u string) {
	defer f.wg.Done()
	f.tokens <- 1
	defer f.giveBack()
	_ = u
}

func (f *pageFetcher) giveBack() { <-f.tokens }

// The mistake again, with the senders started in a loop that may start
// none: a collector outside the workers receives their results, and an
// empty batch returns before any worker runs.
type batch struct {
	out chan int
}

func (b *batch) Start(ids []int) error {
	b.out = make(chan int, len(ids))
	if len(ids) == 0 {
		return errNoSteps
	}
	for _, id := range ids {
		go func() { b.out <- id * 2 }()
	}
	return nil
}

func (b *batch) First() int {
	return <-b.out // want `this receive waits on field out of batch, which Start makes at line \d+ and only the goroutine it starts at line \d+ closes or sends on`
}

package closeskip

import (
	"context"
	"errors"
	"sync"
)

// Watcher's Init makes the channels; Watch starts a helper that cancels
// the poll context once closeChan closes, and waits for it on return.
type Watcher struct {
	events    chan bool
	errs      chan error
	closeChan chan struct{}
	wg        *sync.WaitGroup
	poll      func(ctx context.Context) error
}

func (w *Watcher) Init() {
	w.events = make(chan bool)
	w.errs = make(chan error)
	w.closeChan = make(chan struct{})
	w.wg = &sync.WaitGroup{}
}

// Watch closes closeChan only when told to exit: the error return skips
// it (mgmt#246's shape). The interleaving checker, which follows Watch's
// loop since session 26 (a free loop in the field harness), reports the
// helper left waiting for the close too.
func (w *Watcher) Watch() error {
	defer w.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field closeChan of Watcher to be closed before its Done \(line \d+\) can run; this function is the only one that closes field closeChan of Watcher, and it returns at line \d+ without closing it`
	ctx, cancel := context.WithCancel(context.Background())
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-w.closeChan // want `this receive can block forever: Watch returns \(closeskip.go:\d+\) without sending or closing`
		cancel()
	}()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := w.poll(ctx); err != nil {
			select {
			case w.errs <- err:
			case <-w.closeChan:
			}
		}
	}()
	for {
		select {
		case exit := <-w.events:
			if exit {
				close(w.closeChan)
				return nil
			}
		case err := <-w.errs:
			return err
		}
	}
}

// Tell asks Watch to exit.
func (w *Watcher) Tell() { w.events <- true }

// Runner waits with a plain Wait after its loop, closing stop only when
// the loop succeeded.
type Runner struct {
	stop chan struct{}
	wg   sync.WaitGroup
	step func() error
}

func NewRunner(step func() error) *Runner {
	return &Runner{stop: make(chan struct{}), step: step}
}

func (r *Runner) Run(cleanup func()) error {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		<-r.stop
		cleanup()
	}()
	err := r.step()
	if err == nil {
		close(r.stop)
	}
	r.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field stop of Runner to be closed before its Done \(line \d+\) can run; this function is the only one that closes field stop of Runner, and it closes it only after this Wait`
	return err
}

// The fix: the close is deferred, so it runs on every return before the
// Wait deferred earlier.
type FixedWatcher struct {
	events    chan bool
	closeChan chan struct{}
	wg        *sync.WaitGroup
}

func (w *FixedWatcher) Init() {
	w.events = make(chan bool)
	w.closeChan = make(chan struct{})
	w.wg = &sync.WaitGroup{}
}

func (w *FixedWatcher) Watch(check func() error) error {
	defer w.wg.Wait()
	defer close(w.closeChan)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-w.closeChan
	}()
	for exit := range w.events {
		if exit {
			return nil
		}
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// Tell asks Watch to exit.
func (w *FixedWatcher) Tell() { w.events <- true }

// Every path closes the channel before the Wait.
type AllPaths struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewAllPaths() *AllPaths { return &AllPaths{stop: make(chan struct{})} }

func (a *AllPaths) Run(step func() error) error {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		<-a.stop
	}()
	err := step()
	if err != nil {
		close(a.stop)
		a.wg.Wait()
		return err
	}
	close(a.stop)
	a.wg.Wait()
	return nil
}

// Another method closes the channel (Stop): the waiter need not.
type Stopped struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func NewStopped() *Stopped { return &Stopped{quit: make(chan struct{})} }

func (s *Stopped) Run(step func() error) error {
	defer s.wg.Wait()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-s.quit
	}()
	return step()
}

func (s *Stopped) Stop() { close(s.quit) }

// The helper has another way out: its context.
type WithCtx struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewWithCtx() *WithCtx { return &WithCtx{stop: make(chan struct{})} }

func (c *WithCtx) Run(ctx context.Context, step func() error) error {
	defer c.wg.Wait()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		select {
		case <-c.stop:
		case <-ctx.Done():
		}
	}()
	if err := step(); err != nil {
		return err
	}
	close(c.stop)
	return nil
}

// A send on the channel can wake the helper too.
type Poked struct {
	poke chan struct{}
	wg   sync.WaitGroup
}

func NewPoked() *Poked { return &Poked{poke: make(chan struct{}, 1)} }

func (p *Poked) Run(step func() error) error {
	defer p.wg.Wait()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-p.poke
	}()
	if err := step(); err != nil {
		return err
	}
	close(p.poke)
	return nil
}

func (p *Poked) Poke() { p.poke <- struct{}{} }

// Shadowing: the helper waits on a local channel named like the field,
// which the deferred close closes.
type Shadowed struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewShadowed() *Shadowed { return &Shadowed{stop: make(chan struct{})} }

func (s *Shadowed) Run(step func() error) error {
	stop := make(chan struct{})
	defer s.wg.Wait()
	defer close(stop)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-stop
	}()
	if err := step(); err != nil {
		return err
	}
	close(s.stop)
	return nil
}

func (s *Shadowed) Stopped() <-chan struct{} { return s.stop }

// The helper is not counted on the WaitGroup the function waits on: the
// Wait is not reported (the helper's leak is, by the interleaving checker).
type Uncounted struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewUncounted() *Uncounted { return &Uncounted{stop: make(chan struct{})} }

func (u *Uncounted) Run(step func() error) error {
	defer u.wg.Wait()
	go func() {
		<-u.stop // want `this receive can block forever: Run returns`
	}()
	if err := step(); err != nil {
		return err
	}
	close(u.stop)
	return nil
}

var errNope = errors.New("nope")

package real

import (
	"context"
	"errors"
	"time"
)

// kubernetes-sigs/controller-runtime#2527: Start starts leader election on
// a goroutine that reports a failure with a plain send on the manager's
// unbuffered errChan (made by the constructor), then waits in a select for
// that error or its context's Done. Once the context wins, Start returns
// and a later failure blocks the goroutine forever. Start is called from
// nowhere in the package, but each call starts its own sender, so a call
// that leaves without receiving always leaves one behind.
type elector interface {
	Run(ctx context.Context, onLead func()) error
}

type manager struct {
	errChan chan error
	lock    elector
	start   func() error
}

func newManager(lock elector, start func() error) *manager {
	return &manager{errChan: make(chan error), lock: lock, start: start}
}

func (m *manager) elect(ctx context.Context) error {
	return m.lock.Run(ctx, func() {
		if err := m.start(); err != nil {
			m.errChan <- err // want `this send on an unbuffered channel \(field errChan\) runs on a goroutine that Start starts \(line \d+\) and whose value only Start receives`
		}
	})
}

func (m *manager) Start(ctx context.Context) error {
	go func() {
		if err := m.elect(ctx); err != nil {
			m.errChan <- err // want `field errChan\) runs on a goroutine that Start starts`
		}
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.errChan:
		return err
	}
}

// The fix: the goroutine's sends give up when the manager stops.
type managerFixed struct {
	errChan chan error
	stop    chan struct{}
	start   func() error
}

func newManagerFixed(start func() error) *managerFixed {
	return &managerFixed{errChan: make(chan error), stop: make(chan struct{}), start: start}
}

func (m *managerFixed) report(err error) {
	select {
	case m.errChan <- err:
	case <-m.stop:
	}
}

func (m *managerFixed) Start(ctx context.Context) error {
	defer close(m.stop)
	go func() {
		if err := m.start(); err != nil {
			m.report(err)
		}
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.errChan:
		return err
	}
}

// A variant: a server's Serve runs its listener as a method on its own
// goroutine, and the listener's failure is sent plainly; Serve gives up
// after a deadline.
type listenServer struct {
	failed chan error
	accept func() error
}

func newListenServer(accept func() error) *listenServer {
	return &listenServer{failed: make(chan error), accept: accept}
}

func (s *listenServer) listen() {
	for {
		if err := s.accept(); err != nil {
			s.failed <- err // want `field failed\) runs on a goroutine that Serve starts`
			return
		}
	}
}

func (s *listenServer) Serve(limit time.Duration) error {
	go s.listen()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-s.failed:
		return err
	case <-timer.C:
		return errors.New("serve: time limit reached")
	}
}

// Another variant: the goroutine calls a helper that sends, and the
// receiver returns on a quit channel that Close (not the sender) closes.
type pinger struct {
	pong  chan time.Duration
	quit  chan struct{}
	probe func() time.Duration
}

func newPinger(probe func() time.Duration) *pinger {
	return &pinger{pong: make(chan time.Duration), quit: make(chan struct{}), probe: probe}
}

func (p *pinger) answer() { p.pong <- p.probe() } // want `field pong\) runs on a goroutine that Ping starts`

func (p *pinger) Ping() (time.Duration, bool) {
	go p.answer()
	select {
	case d := <-p.pong:
		return d, true
	case <-p.quit:
		return 0, false
	}
}

func (p *pinger) Close() { close(p.quit) }

// A look-alike that stays silent: the case Wait leaves through is the
// sender's own done channel, closed only after its send was taken.
type oneShot struct {
	result chan int
	done   chan struct{}
	work   func() (int, bool)
}

func newOneShot(work func() (int, bool)) *oneShot {
	return &oneShot{result: make(chan int), done: make(chan struct{}), work: work}
}

func (o *oneShot) run() {
	defer close(o.done)
	if v, ok := o.work(); ok {
		o.result <- v
	}
}

func (o *oneShot) Wait() (int, bool) {
	go o.run()
	select {
	case v := <-o.result:
		return v, true
	case <-o.done:
		return 0, false
	}
}

// Package fixed is the fixed version of chanrecv/coda_4: the group
// goroutine closes exited when fn returns and the readiness watcher
// selects on it, so a GroupFunc that fails before ready no longer leaves
// the watcher and a blocking Go waiting.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// GroupCrashError is returned when a goroutine of the group failed.
type GroupCrashError struct {
	GroupName string
}

func (e *GroupCrashError) Error() string {
	return fmt.Sprintf("group %q crashed", e.GroupName)
}

// GroupNotReadyError is returned when a goroutine did not become ready in time.
type GroupNotReadyError struct {
	GroupName string
}

func (e *GroupNotReadyError) Error() string {
	return fmt.Sprintf("group %q did not become ready in time", e.GroupName)
}

// Shutdown coordinates the groups of a process.
type Shutdown struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	logf   func(format string, args ...any)
}

// NewShutdown returns a Shutdown whose context ends on the first error.
func NewShutdown(logf func(format string, args ...any)) *Shutdown {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Shutdown{ctx: ctx, cancel: cancel, logf: logf}
}

// Ctx is cancelled when the process stops.
func (s *Shutdown) Ctx() context.Context { return s.ctx }

// StopWithError stops everything with err.
func (s *Shutdown) StopWithError(err error) { s.cancel(err) }

// NewGroup makes a group of goroutines stopped together.
func (s *Shutdown) NewGroup(name string) *Group {
	ctx, cancel := context.WithCancel(s.ctx)
	return &Group{name: name, shutdown: s, ctx: ctx, cancel: cancel}
}

// GoOptions are the per-goroutine options.
type GoOptions struct {
	ReadyTimeout           time.Duration // < 0: wait for ready without a timeout
	CrashOnReadyTimeoutHit bool
	CrashOnError           bool
	Block                  bool // Go waits until the goroutine is ready
}

// GroupFunc is run by Go; it calls ready once it is initialised.
type GroupFunc func(ctx context.Context, ready func()) error

// Group is a group of goroutines shut down together.
type Group struct {
	name     string
	shutdown *Shutdown

	isStoppingLock sync.Mutex
	isStopping     bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Go starts fn in the group.
func (g *Group) Go(fn GroupFunc, options GoOptions) {
	g.isStoppingLock.Lock()
	if g.isStopping {
		g.isStoppingLock.Unlock()
		return
	}

	readyCh := make(chan struct{})
	exited := make(chan struct{})
	var once sync.Once
	ready := func() {
		once.Do(func() { close(readyCh) })
	}

	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer close(exited)

		if err := fn(g.ctx, ready); err != nil {
			if options.CrashOnError {
				g.shutdown.logf("goroutine in group %q returned error: %v", g.name, err)
				g.shutdown.StopWithError(errors.Join(&GroupCrashError{GroupName: g.name}, err))
			}
			return
		}
		g.shutdown.logf("goroutine in group %q stopped", g.name)
	}()
	g.isStoppingLock.Unlock()

	blockCh := make(chan struct{})
	go func() {
		defer close(blockCh)
		if options.ReadyTimeout < 0 {
			select {
			case <-readyCh:
			case <-exited:
			}
			return
		}

		timer := time.NewTimer(options.ReadyTimeout)
		defer timer.Stop()
		select {
		case <-readyCh:
		case <-exited:
		case <-timer.C:
			g.shutdown.logf("ready timeout hit for goroutine in group %q", g.name)
			if options.CrashOnReadyTimeoutHit {
				g.shutdown.StopWithError(&GroupNotReadyError{GroupName: g.name})
			}
		}
	}()

	if options.Block {
		<-blockCh
	}
}

// stopAndWait cancels the group and waits for its goroutines.
func (g *Group) stopAndWait() {
	g.isStoppingLock.Lock()
	g.isStopping = true
	g.isStoppingLock.Unlock()

	g.cancel()
	g.wg.Wait()
}

// startListener is a caller: a listener that fails to bind never calls ready.
func startListener(s *Shutdown, bind func() error, serve func(ctx context.Context)) {
	g := s.NewGroup("http")
	g.Go(func(ctx context.Context, ready func()) error {
		if err := bind(); err != nil {
			return err
		}
		ready()
		serve(ctx)
		return nil
	}, GoOptions{ReadyTimeout: -1, CrashOnError: true, Block: true})
	g.stopAndWait()
}

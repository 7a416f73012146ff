// Package bug is a held-out kernel (issue 14): coda's Group.Go hands the
// goroutine a ready func that closes readyCh and, with WithBlock, waits
// until readyCh is closed; a GroupFunc that fails before it calls ready
// returns without closing it, so with no ready timeout the watcher
// goroutine waits on readyCh for ever and Go never returns.
//
// Upstream: marnixbouhuis/coda#4 ("fix: deadlock on withblock if goroutine crashes before readiness is signaled")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Go adds the goroutine to the group's WaitGroup and starts it; the
// goroutine runs fn(ctx, ready) and, on an error, reports the crash to
// the Shutdown and returns. A second goroutine waits for readiness: with
// readyTimeout < 0 it does a bare `<-readyCh` and then closes blockCh,
// otherwise it selects on readyCh and a timer. With options.block, Go
// itself waits on `<-blockCh`. Nothing closes readyCh when fn returns
// first, so both the watcher and the caller of Go hang (the PR: "A
// GroupFunc that crashes before signaling readiness could cause the
// `group.Go` call to block indefinitely"). Our reduction: the functional
// options become a struct, the logger a func, and Shutdown keeps only its
// context and StopWithError.
//
// Fix (our reading; the thread does not show the diff): the group
// goroutine closes an exited channel when fn returns, and the watcher
// selects on readyCh and that channel (and the timer), so a crash before
// ready releases the watcher and a blocking Go.
package bug

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
	var once sync.Once
	ready := func() {
		once.Do(func() { close(readyCh) })
	}

	g.wg.Add(1)
	go func() {
		defer g.wg.Done()

		if err := fn(g.ctx, ready); err != nil {
			if options.CrashOnError {
				g.shutdown.logf("goroutine in group %q returned error: %v", g.name, err)
				g.shutdown.StopWithError(errors.Join(&GroupCrashError{GroupName: g.name}, err))
			}
			return // heldout:site
		}
		g.shutdown.logf("goroutine in group %q stopped", g.name)
	}()
	g.isStoppingLock.Unlock()

	blockCh := make(chan struct{})
	go func() {
		if options.ReadyTimeout < 0 {
			<-readyCh // heldout:site
			close(blockCh)
			return
		}

		timer := time.NewTimer(options.ReadyTimeout)
		defer timer.Stop()
		select {
		case <-readyCh:
		case <-timer.C:
			g.shutdown.logf("ready timeout hit for goroutine in group %q", g.name)
			if options.CrashOnReadyTimeoutHit {
				g.shutdown.StopWithError(&GroupNotReadyError{GroupName: g.name})
			}
		}
		close(blockCh)
	}()

	if options.Block {
		<-blockCh // heldout:site
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

// Package bug is a held-out kernel (issue 14): an IMAP library's goroutine
// group recovers panics in the goroutines it spawns, but its Once calls
// the WaitGroup's Done only after the function returns normally; a
// function that panics is recovered without Done, and every later
// CancelAndWait or WaitToFinish blocks for ever on the group's Wait.
//
// Upstream: ProtonMail/gluon#346 ("fix: Defer wg.Done() in Group.Once()")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: async.Group (a fork of juniper's xsync.Group with a panic handler)
// spawns goroutines from Once, Periodic and Trigger, each counted in g.wg
// and each deferring HandlePanic(g.panicHandler), which recovers and
// reports the panic. Periodic and Trigger also defer g.wg.Done(); Once
// runs `f(g.ctx)` and then calls `g.wg.Done()` as a plain statement, so a
// panicking f skips it. CancelAndWait (cancel the contexts, then
// g.wg.Wait()) and WaitToFinish then never return. The PR: "Always defer
// wait group done on the goroutine to avoid stalls in case of panics."
// The callers (the IMAP connector's state updates) are reduced to a
// user type that runs its sync once.
//
// Fix: Once defers g.wg.Done() right after deferring HandlePanic, like the
// other spawners, so Done runs before the panic is recovered.
package bug

import (
	"context"
	"math/rand"
	"sync"
	"time"
)

// PanicHandler reports a recovered panic.
type PanicHandler interface {
	HandlePanic(r interface{})
}

// HandlePanic recovers a panic and hands it to panicHandler; it must be
// deferred directly.
func HandlePanic(panicHandler PanicHandler) {
	if panicHandler == nil {
		return
	}
	if r := recover(); r != nil {
		panicHandler.HandlePanic(r)
	}
}

// Group manages a group of goroutines.
type Group struct {
	baseCtx context.Context
	ctx     context.Context
	jobCtx  context.Context
	cancel  context.CancelFunc
	finish  context.CancelFunc
	wg      sync.WaitGroup

	panicHandler PanicHandler
}

// NewGroup returns a Group whose goroutines get contexts derived from ctx.
func NewGroup(ctx context.Context, panicHandler PanicHandler) *Group {
	bgCtx, cancel := context.WithCancel(ctx)
	jobCtx, finish := context.WithCancel(ctx)
	return &Group{
		baseCtx:      ctx,
		ctx:          bgCtx,
		jobCtx:       jobCtx,
		cancel:       cancel,
		finish:       finish,
		panicHandler: panicHandler,
	}
}

// Once calls f once from another goroutine.
func (g *Group) Once(f func(ctx context.Context)) {
	g.wg.Add(1)

	go func() {
		defer HandlePanic(g.panicHandler)

		f(g.ctx)
		g.wg.Done() // heldout:site
	}()
}

func jitterDuration(d time.Duration, jitter time.Duration) time.Duration {
	return d + time.Duration(float64(jitter)*((rand.Float64()*2)-1))
}

// Periodic spawns a goroutine that calls f once per interval +/- jitter.
func (g *Group) Periodic(interval, jitter time.Duration, f func(ctx context.Context)) {
	g.wg.Add(1)

	go func() {
		defer HandlePanic(g.panicHandler)

		defer g.wg.Done()

		t := time.NewTimer(jitterDuration(interval, jitter))
		defer t.Stop()

		for {
			if g.ctx.Err() != nil {
				return
			}
			select {
			case <-g.jobCtx.Done():
				return
			case <-t.C:
			}
			t.Reset(jitterDuration(interval, jitter))
			f(g.ctx)
		}
	}()
}

func (g *Group) resetCtx() {
	g.jobCtx, g.finish = context.WithCancel(g.baseCtx)
	g.ctx, g.cancel = context.WithCancel(g.baseCtx)
}

// CancelAndWait cancels the spawned goroutines' contexts and waits for
// all of them to exit.
func (g *Group) CancelAndWait() {
	g.finish()
	g.cancel()
	g.wg.Wait() // heldout:site
	g.resetCtx()
}

// WaitToFinish ends the periodic routines and waits for the running
// functions to finish, without cancelling them.
func (g *Group) WaitToFinish() {
	g.finish()
	g.wg.Wait() // heldout:site
	g.jobCtx, g.finish = context.WithCancel(g.baseCtx)
}

// user is a connector user whose state is synced in the background.
type user struct {
	tasks *Group
	sync  func(ctx context.Context) // may panic on a malformed update
}

func (u *user) startSync() {
	u.tasks.Once(func(ctx context.Context) {
		u.sync(ctx)
	})
}

func (u *user) close() {
	u.tasks.CancelAndWait()
}

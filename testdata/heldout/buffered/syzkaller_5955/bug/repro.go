// Package bug is a held-out kernel (issue 14): a reproduction loop whose
// runners ping a one-slot queue channel with a plain send when they
// finish; once the loop's context is cancelled nobody drains that channel,
// and the loop itself waits for the runners, so a runner blocks on the
// full channel and the loop never returns.
//
// Upstream: google/syzkaller#5955 ("pkg/manager: prevent deadlock on ReproLoop cancellation")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: ReproLoop.Loop defers wg.Wait() and starts one runner goroutine per
// crash; each runner, after handle, returns its token to r.parallel and
// then does r.pingQueue <- struct{}{} to wake the loop. pingQueue holds
// one element. When ctx is cancelled the loop returns from its select and
// sits in the deferred wg.Wait; "no one may be polling the pingQueue, yet
// we write to it synchronously", so a second finishing runner (or one
// finding the slot already filled by Enqueue) blocks for ever and Loop
// never returns. The stats, logging and pool sizing are left out (our
// reduction).
//
// Fix: the runner pings with a select that has a default case, as Enqueue
// already did.
package bug

import (
	"context"
	"sync"
)

// Crash is a crash waiting to be reproduced.
type Crash struct {
	Title string
}

// ReproManagerView is what the loop needs from the manager.
type ReproManagerView interface {
	RunRepro(ctx context.Context, crash *Crash) error
	NeedRepro(crash *Crash) bool
}

// ReproLoop runs bug reproductions.
type ReproLoop struct {
	mgr       ReproManagerView
	parallel  chan struct{}
	pingQueue chan struct{}
	reproVMs  int

	mu          sync.Mutex
	queue       []*Crash
	reproducing map[string]bool
}

// NewReproLoop makes a loop that runs up to reproVMs reproductions.
func NewReproLoop(mgr ReproManagerView, reproVMs int) *ReproLoop {
	return &ReproLoop{
		mgr:         mgr,
		parallel:    make(chan struct{}, reproVMs),
		pingQueue:   make(chan struct{}, 1),
		reproVMs:    reproVMs,
		reproducing: map[string]bool{},
	}
}

// Enqueue schedules a reproduction and pings the loop.
func (r *ReproLoop) Enqueue(crash *Crash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue = append(r.queue, crash)
	select {
	case r.pingQueue <- struct{}{}:
	default:
	}
}

func (r *ReproLoop) popCrash() *Crash {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, crash := range r.queue {
		if r.reproducing[crash.Title] {
			continue
		}
		r.queue = append(r.queue[:i], r.queue[i+1:]...)
		return crash
	}
	return nil
}

// Loop runs reproductions until ctx is cancelled.
func (r *ReproLoop) Loop(ctx context.Context) {
	for i := 0; i < r.reproVMs; i++ {
		r.parallel <- struct{}{}
	}

	var wg sync.WaitGroup
	defer wg.Wait() // heldout:site

	for {
		crash := r.popCrash()
		for crash == nil || !r.mgr.NeedRepro(crash) {
			if crash != nil {
				crash = r.popCrash()
				continue
			}
			select {
			case <-r.pingQueue:
				crash = r.popCrash()
			case <-ctx.Done():
				return // heldout:site
			}
		}

		select {
		case <-r.parallel:
		case <-ctx.Done():
			return
		}

		title := crash.Title
		r.mu.Lock()
		r.reproducing[title] = true
		r.mu.Unlock()

		wg.Add(1)
		go func() {
			defer wg.Done()

			r.mgr.RunRepro(ctx, crash)

			r.mu.Lock()
			delete(r.reproducing, title)
			r.mu.Unlock()

			r.parallel <- struct{}{}
			r.pingQueue <- struct{}{} // heldout:site
		}()
	}
}

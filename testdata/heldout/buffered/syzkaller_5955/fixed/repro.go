// Package fixed is the fixed version of buffered/syzkaller_5955: the
// runner pings the loop with a non-blocking send.
package fixed

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
	defer wg.Wait()

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
				return
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
			// If the context is cancelled, no one is listening on pingQueue.
			select {
			case r.pingQueue <- struct{}{}:
			default:
			}
		}()
	}
}

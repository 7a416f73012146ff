// Package bug is a held-out kernel (issue 14): KBFS's rekey queue, whose
// Shutdown waits for the background goroutine to finish while holding the
// queue's mutex, and the background goroutine, finishing the rekey it is
// on, takes that mutex to drop the folder from the pending set.
//
// Upstream: keybase/client#22797 ("rekey_queue: avoid shutdown deadlock")
// Round: 13
//
// Bug: RekeyQueueStandard.Shutdown takes rkq.mu with a deferred unlock,
// cancels the background context and receives from shutdownDoneCh, which
// the goroutine started by start closes when it returns. That goroutine,
// after asking the folder to rekey, runs a closure that takes rkq.mu to
// delete the folder from rkq.pendings before it goes back to its select.
// A Shutdown that lands while a rekey is in flight holds rkq.mu and waits
// for the goroutine, which waits for rkq.mu. The rate limiter and the KBFS
// ops are reduced to small interfaces of the kernel's own.
//
// Fix: Shutdown takes the cancel func and the done channel under the
// lock, releases it, and then cancels and waits.
package bug

import (
	"context"
	"sync"
)

// TlfID identifies a top-level folder.
type TlfID string

// Rekeyer asks a folder to rekey (KBFSOps, reduced).
type Rekeyer interface {
	RequestRekey(ctx context.Context, id TlfID)
}

// limiter is a reduced rate limiter: Wait fails once ctx is done.
type limiter struct {
	mu     sync.Mutex
	tokens int
}

func (l *limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	l.tokens++
	l.mu.Unlock()
	return nil
}

// RekeyQueueStandard dispatches rekey requests from a background goroutine.
type RekeyQueueStandard struct {
	ops            Rekeyer
	queue          chan TlfID
	limiter        *limiter
	cancel         context.CancelFunc
	shutdownDoneCh chan struct{}

	mu       sync.RWMutex // guards everything below
	pendings map[TlfID]bool
}

// NewRekeyQueueStandard returns a started queue.
func NewRekeyQueueStandard(ops Rekeyer, size int) *RekeyQueueStandard {
	ctx, cancel := context.WithCancel(context.Background())
	rkq := &RekeyQueueStandard{
		ops:            ops,
		queue:          make(chan TlfID, size),
		limiter:        &limiter{},
		pendings:       make(map[TlfID]bool),
		cancel:         cancel,
		shutdownDoneCh: make(chan struct{}),
	}
	rkq.start(ctx)
	return rkq
}

// start spawns the goroutine that dispatches rekey requests.
func (rkq *RekeyQueueStandard) start(ctx context.Context) {
	go func() {
		defer close(rkq.shutdownDoneCh)
		for {
			select {
			case id := <-rkq.queue:
				if err := rkq.limiter.Wait(ctx); err != nil {
					return
				}
				rkq.ops.RequestRekey(context.Background(), id)
				func(id TlfID) {
					rkq.mu.Lock() // heldout:site
					defer rkq.mu.Unlock()
					delete(rkq.pendings, id)
				}(id)
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Enqueue adds a folder to the queue, dropping it if the queue is full.
func (rkq *RekeyQueueStandard) Enqueue(id TlfID) {
	rkq.mu.Lock()
	defer rkq.mu.Unlock()
	rkq.pendings[id] = true

	select {
	case rkq.queue <- id:
	default:
	}
}

// IsRekeyPending reports whether a folder waits for its rekey.
func (rkq *RekeyQueueStandard) IsRekeyPending(id TlfID) bool {
	rkq.mu.RLock()
	defer rkq.mu.RUnlock()
	return rkq.pendings[id]
}

// Shutdown stops the background goroutine and waits for it.
func (rkq *RekeyQueueStandard) Shutdown() {
	rkq.mu.Lock() // heldout:site
	defer rkq.mu.Unlock()
	if rkq.cancel != nil {
		rkq.cancel()
		rkq.cancel = nil
		<-rkq.shutdownDoneCh // heldout:site
	}
}

// recordingOps records the folders asked to rekey.
type recordingOps struct {
	mu  sync.Mutex
	ids []TlfID
}

func (o *recordingOps) RequestRekey(ctx context.Context, id TlfID) {
	o.mu.Lock()
	o.ids = append(o.ids, id)
	o.mu.Unlock()
}

// shutdownDuringRekey is a logout (Shutdown) while a rekey is dispatched.
func shutdownDuringRekey() {
	rkq := NewRekeyQueueStandard(&recordingOps{}, 16)
	rkq.Enqueue("tlf-1")
	rkq.Shutdown()
}

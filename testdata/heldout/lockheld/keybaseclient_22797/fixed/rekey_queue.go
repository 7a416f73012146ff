// Package fixed is the fixed version of lockheld/keybaseclient_22797:
// Shutdown takes the cancel func and the done channel under the lock and
// waits for the background goroutine after releasing it.
package fixed

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
					rkq.mu.Lock()
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
	cancel, doneCh := func() (context.CancelFunc, chan struct{}) {
		rkq.mu.Lock()
		defer rkq.mu.Unlock()
		cancel := rkq.cancel
		rkq.cancel = nil
		return cancel, rkq.shutdownDoneCh
	}()
	if cancel != nil {
		cancel()
		<-doneCh
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

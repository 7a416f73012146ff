// Package bug is a held-out kernel (issue 14): a ring buffer of flow
// events whose follow-mode reader sleeps on a sync.Cond when it has
// caught up with the writer. The writer and a helper goroutine that
// watches the reader's context both Broadcast without holding the
// cond's lock, so a Broadcast that lands between the reader's last check
// (of the write position, or of ctx.Done) and its Wait is lost; after a
// cancelled context the reader then sleeps until the next write, which
// on an idle node never comes, and the reader goroutine leaks.
//
// Upstream: cilium/hubble#177 ("container/ring: Fix various data races and race conditions")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the commit message quoted in the review: "The usage of sync.Cond
// in Ring.readFrom was prone to races, i.e. it could miss signals that
// should stop it from going to sleep": the readFrom goroutine could go to
// sleep right after r.write had been bumped, missing the writer's
// Broadcast, and a cancellation could likewise be missed (the code's own
// FIXME describes the first window). readFrom started
// `go func() { <-ctx.Done(); r.cond.Broadcast() }()`, and when caught up
// did r.cond.L.Lock(), a select on ctx.Done() with default r.cond.Wait().
// Write did atomic.AddUint64(&r.write, 1), stored the event and called
// r.cond.Broadcast(). The cycle arithmetic that tells a valid read from
// an overwritten one is reduced to comparisons of positions.
//
// Fix: the sync.Cond is replaced by a notify channel, created by a
// waiting reader and closed by the next Write under a small mutex; the
// reader selects on it and on ctx.Done().
package bug

import (
	"context"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Event is one flow event.
type Event struct {
	Timestamp int64
	Summary   string
}

// Ring is a ring buffer of events.
type Ring struct {
	// mask gives the index of a position in data.
	mask uint64
	// write is the next position to be written.
	write   uint64
	dataLen uint64
	data    []*Event
	// cond tells a waiting reader in readFrom that the writer has
	// written.
	cond *sync.Cond
}

// NewRing returns a ring of 2^bits events.
func NewRing(bits uint) *Ring {
	n := uint64(1) << bits
	return &Ring{
		mask:    n - 1,
		dataLen: n,
		data:    make([]*Event, n),
		cond:    sync.NewCond(&sync.RWMutex{}),
	}
}

func (r *Ring) dataLoadAtomic(idx uint64) *Event {
	slot := unsafe.Pointer(&r.data[idx])
	return (*Event)(atomic.LoadPointer((*unsafe.Pointer)(slot)))
}

func (r *Ring) dataStoreAtomic(idx uint64, e *Event) {
	slot := unsafe.Pointer(&r.data[idx])
	atomic.StorePointer((*unsafe.Pointer)(slot), unsafe.Pointer(e))
}

// Write writes e into the next position.
func (r *Ring) Write(e *Event) {
	write := atomic.AddUint64(&r.write, 1)
	r.dataStoreAtomic((write-1)&r.mask, e)
	r.cond.Broadcast() // heldout:site
}

// readFrom sends the events from position read on, following the
// writer, until ctx is cancelled.
func (r *Ring) readFrom(ctx context.Context, read uint64) <-chan *Event {
	ch := make(chan *Event, 1000)
	go func() {
		go func() {
			<-ctx.Done()
			r.cond.Broadcast() // heldout:site
		}()
		defer close(ch)

		for ; ; read++ {
			event := r.dataLoadAtomic(read & r.mask)
			// write-1 may still be being written, so positions up to
			// write-2 are readable, unless overwritten.
			write := atomic.LoadUint64(&r.write)
			switch {
			case write > r.dataLen && read < write-r.dataLen:
				// Overwritten: skip to the oldest position still held.
				read = write - r.dataLen - 1
				continue

			case read+1 < write:
				select {
				case ch <- event:
					continue
				case <-ctx.Done():
					return
				}

			default:
				// The reader caught up with the writer: wait for a write.
				if write != atomic.LoadUint64(&r.write) {
					read--
					continue
				}
				r.cond.L.Lock()
				select {
				case <-ctx.Done():
					r.cond.L.Unlock()
					return
				default:
					r.cond.Wait() // heldout:site
					r.cond.L.Unlock()
					read--
				}
				select {
				case <-ctx.Done():
					return
				default:
					continue
				}
			}
		}
	}()
	return ch
}

// Follow streams events from the oldest one held until ctx is cancelled.
func (r *Ring) Follow(ctx context.Context) <-chan *Event {
	var start uint64
	if w := atomic.LoadUint64(&r.write); w > r.dataLen {
		start = w - r.dataLen
	}
	return r.readFrom(ctx, start)
}

// Package fixed is the fixed version of cond/hubble_177: a waiting reader
// takes a notify channel that the next Write closes, and selects on it
// and on ctx.Done(), so neither a write nor a cancellation can be missed.
package fixed

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

	// notifyMu guards notifyCh, which a waiting reader creates and the
	// next Write closes.
	notifyMu sync.Mutex
	notifyCh chan struct{}
}

// NewRing returns a ring of 2^bits events.
func NewRing(bits uint) *Ring {
	n := uint64(1) << bits
	return &Ring{
		mask:    n - 1,
		dataLen: n,
		data:    make([]*Event, n),
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
	r.notifyMu.Lock()
	write := atomic.AddUint64(&r.write, 1)
	r.dataStoreAtomic((write-1)&r.mask, e)
	if r.notifyCh != nil {
		close(r.notifyCh)
		r.notifyCh = nil
	}
	r.notifyMu.Unlock()
}

// readFrom sends the events from position read on, following the
// writer, until ctx is cancelled.
func (r *Ring) readFrom(ctx context.Context, read uint64) <-chan *Event {
	ch := make(chan *Event, 1000)
	go func() {
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
				r.notifyMu.Lock()
				if write != atomic.LoadUint64(&r.write) {
					r.notifyMu.Unlock()
					read--
					continue
				}
				// This channel will be closed by the writer when it writes.
				if r.notifyCh == nil {
					r.notifyCh = make(chan struct{})
				}
				notifyCh := r.notifyCh
				r.notifyMu.Unlock()

				select {
				case <-notifyCh:
					read--
					continue
				case <-ctx.Done():
					return
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

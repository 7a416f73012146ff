package bug

import (
	"errors"
	"sync/atomic"
)

var errSizedQueueFull = errors.New("sending queue is full")

// sizedChannel is a channel wrapper that tracks the size of its elements,
// which may differ from the channel's length.
type sizedChannel[T any] struct {
	used     *atomic.Int64
	ch       chan T
	capacity int64
}

func newSizedChannel[T any](capacity int64, chCap int) *sizedChannel[T] {
	return &sizedChannel[T]{used: &atomic.Int64{}, ch: make(chan T, chCap), capacity: capacity}
}

// push adds el of the given size, running callback first; it fails when
// the size would exceed the capacity.
func (vcq *sizedChannel[T]) push(el T, size int64, callback func() error) error {
	if vcq.used.Add(size) > vcq.capacity {
		vcq.used.Add(-size)
		return errSizedQueueFull
	}
	if callback != nil {
		if err := callback(); err != nil {
			vcq.used.Add(-size)
			return err
		}
	}
	vcq.ch <- el // heldout:site
	return nil
}

// pop takes the next element; callback returns its size.
func (vcq *sizedChannel[T]) pop(callback func(T) int64) (T, bool) {
	el, ok := <-vcq.ch
	if !ok {
		return el, false
	}
	size := callback(el)
	if size > 0 {
		vcq.used.Add(-size)
	}
	return el, true
}

// syncSize resets the tracked size to the channel's length.
func (vcq *sizedChannel[T]) syncSize() {
	vcq.used.Store(int64(len(vcq.ch)))
}

// shutdown closes the channel; pop returns false once it is drained.
func (vcq *sizedChannel[T]) shutdown() {
	close(vcq.ch)
}

// Package fixed is the fixed version of lockorder/pebble_511: every path
// takes the data lock before the iterator mutex, and the internal
// helpers take neither.
package fixed

import (
	"io"
	"sync"
)

// RingPos is a position in the buffer's byte stream.
type RingPos int64

// RingBuffer keeps the most recent output of a service.
type RingBuffer struct {
	rwlock      sync.RWMutex
	readIndex   RingPos
	writeIndex  RingPos
	writeClosed bool
	data        []byte

	iteratorMutex sync.RWMutex
	iteratorList  []*iterator
}

// NewRingBuffer returns a buffer of size bytes.
func NewRingBuffer(size int) *RingBuffer {
	return &RingBuffer{data: make([]byte, size)}
}

// Close closes the writing side; readers may go on.
func (rb *RingBuffer) Close() error {
	rb.rwlock.Lock()
	defer rb.rwlock.Unlock()
	rb.iteratorMutex.Lock()
	defer rb.iteratorMutex.Unlock()
	if rb.writeClosed {
		return nil
	}
	rb.writeClosed = true
	rb.releaseIterators()
	return nil
}

// Closed says whether the writing side has closed.
func (rb *RingBuffer) Closed() bool {
	rb.rwlock.RLock()
	defer rb.rwlock.RUnlock()
	return rb.writeClosed
}

// Positions returns the start and end of the readable data.
func (rb *RingBuffer) Positions() (start, end RingPos) {
	rb.rwlock.RLock()
	defer rb.rwlock.RUnlock()
	return rb.readIndex, rb.writeIndex
}

// Write appends p, discarding the oldest bytes to make room.
func (rb *RingBuffer) Write(p []byte) (written int, err error) {
	if len(p) == 0 {
		return 0, nil
	}
	defer func() {
		if written > 0 {
			rb.iteratorMutex.RLock()
			defer rb.iteratorMutex.RUnlock()
			rb.signalIterators()
		}
	}()
	rb.rwlock.Lock()
	defer rb.rwlock.Unlock()
	if rb.writeClosed {
		return 0, io.ErrClosedPipe
	}
	n := min(len(p), len(rb.data))
	if avail := len(rb.data) - int(rb.writeIndex-rb.readIndex); avail < n {
		rb.readIndex += RingPos(n - avail)
	}
	for i := 0; i < n; i++ {
		rb.data[int((rb.writeIndex+RingPos(i))%RingPos(len(rb.data)))] = p[i]
	}
	rb.writeIndex += RingPos(n)
	if n < len(p) {
		return n, io.ErrShortWrite
	}
	return n, nil
}

// TailIterator returns an iterator from the oldest buffered byte.
func (rb *RingBuffer) TailIterator() Iterator {
	rb.rwlock.RLock()
	defer rb.rwlock.RUnlock()
	rb.iteratorMutex.Lock()
	defer rb.iteratorMutex.Unlock()
	iter := &iterator{
		rb:        rb,
		index:     rb.readIndex,
		nextChan:  make(chan bool, 1),
		closeChan: make(chan struct{}),
	}
	if rb.writeClosed {
		close(iter.closeChan)
	}
	rb.iteratorList = append(rb.iteratorList, iter)
	return iter
}

// HeadIterator returns an iterator from the newest byte.
func (rb *RingBuffer) HeadIterator() Iterator {
	rb.rwlock.RLock()
	defer rb.rwlock.RUnlock()
	rb.iteratorMutex.Lock()
	defer rb.iteratorMutex.Unlock()
	iter := &iterator{
		rb:        rb,
		index:     rb.writeIndex,
		nextChan:  make(chan bool, 1),
		closeChan: make(chan struct{}),
	}
	if rb.writeClosed {
		close(iter.closeChan)
	}
	rb.iteratorList = append(rb.iteratorList, iter)
	return iter
}

// signalIterators, releaseIterators and removeIterator must be called
// with iteratorMutex held.
func (rb *RingBuffer) signalIterators() {
	for _, iter := range rb.iteratorList {
		select {
		case iter.nextChan <- true:
		default:
		}
	}
}

func (rb *RingBuffer) releaseIterators() {
	for _, iter := range rb.iteratorList {
		select {
		case <-iter.closeChan:
		default:
			close(iter.closeChan)
		}
	}
	rb.iteratorList = nil
}

func (rb *RingBuffer) removeIterator(iter *iterator) {
	for i, stored := range rb.iteratorList {
		if stored != iter {
			continue
		}
		select {
		case <-iter.closeChan:
		default:
			close(iter.closeChan)
		}
		rb.iteratorList[i] = rb.iteratorList[len(rb.iteratorList)-1]
		rb.iteratorList = rb.iteratorList[:len(rb.iteratorList)-1]
		return
	}
}

// Iterator follows the buffer as it is written.
type Iterator interface {
	// Next waits for more data; it returns false once the buffer is
	// closed or cancel fires.
	Next(cancel <-chan struct{}) bool
	Close() error
}

type iterator struct {
	rb        *RingBuffer
	index     RingPos
	nextChan  chan bool
	closeChan chan struct{}
}

func (it *iterator) Next(cancel <-chan struct{}) bool {
	select {
	case <-it.nextChan:
		return true
	case <-it.closeChan:
		return false
	case <-cancel:
		return false
	}
}

func (it *iterator) Close() error {
	it.rb.iteratorMutex.Lock()
	defer it.rb.iteratorMutex.Unlock()
	it.rb.removeIterator(it)
	return nil
}

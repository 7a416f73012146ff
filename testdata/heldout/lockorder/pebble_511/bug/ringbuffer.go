// Package bug is a held-out kernel (issue 14): a service log ring buffer
// with two mutexes, one for the data and one for the list of iterators;
// creating an iterator takes the iterator mutex and then, through
// Positions and Closed, the data lock, while closing the buffer takes
// the data lock and then, through releaseIterators, the iterator mutex.
// A log client opening an iterator while the service's output is closed
// deadlocks the two.
//
// Upstream: canonical/pebble#511 ("fix: ring buffer deadlock", issue canonical/pebble#508)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the issue's summary: "Ringbuffer HeadIterator() (and
// TailIterator(), for that matter) acquires the iteratorMutex lock first
// then the rwlock (inexplicitly in rb.Closed()), but Close() ... acquires
// the rwlock first then the iteratorMutex lock (inexplicitly in
// releaseIterators), causing a deadlock." The PR adds internal close and
// positions helpers for the same reason, so the iterator constructors
// also read the positions through the locking Positions. The exact
// lines of the buggy constructors are our reconstruction from the issue
// and the fixed file; line counting for HeadIterator is left out.
//
// Fix: every path takes rwlock before iteratorMutex: the constructors
// RLock rwlock first and read the fields directly, Close locks both in
// that order, and the *Iterators helpers no longer lock.
package bug

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
	rb.rwlock.Lock() // heldout:site
	defer rb.rwlock.Unlock()
	if rb.writeClosed {
		return nil
	}
	rb.writeClosed = true
	rb.releaseIterators() // heldout:site
	return nil
}

// Closed says whether the writing side has closed.
func (rb *RingBuffer) Closed() bool {
	rb.rwlock.RLock() // heldout:site
	defer rb.rwlock.RUnlock()
	return rb.writeClosed
}

// Positions returns the start and end of the readable data.
func (rb *RingBuffer) Positions() (start, end RingPos) {
	rb.rwlock.RLock() // heldout:site
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
	rb.iteratorMutex.Lock() // heldout:site
	defer rb.iteratorMutex.Unlock()
	start, _ := rb.Positions() // heldout:site
	iter := &iterator{
		rb:        rb,
		index:     start,
		nextChan:  make(chan bool, 1),
		closeChan: make(chan struct{}),
	}
	if rb.Closed() { // heldout:site
		close(iter.closeChan)
	}
	rb.iteratorList = append(rb.iteratorList, iter)
	return iter
}

// HeadIterator returns an iterator from the newest byte.
func (rb *RingBuffer) HeadIterator() Iterator {
	rb.iteratorMutex.Lock()
	defer rb.iteratorMutex.Unlock()
	_, end := rb.Positions()
	iter := &iterator{
		rb:        rb,
		index:     end,
		nextChan:  make(chan bool, 1),
		closeChan: make(chan struct{}),
	}
	if rb.Closed() {
		close(iter.closeChan)
	}
	rb.iteratorList = append(rb.iteratorList, iter)
	return iter
}

func (rb *RingBuffer) signalIterators() {
	rb.iteratorMutex.RLock()
	defer rb.iteratorMutex.RUnlock()
	for _, iter := range rb.iteratorList {
		select {
		case iter.nextChan <- true:
		default:
		}
	}
}

func (rb *RingBuffer) releaseIterators() {
	rb.iteratorMutex.Lock() // heldout:site
	defer rb.iteratorMutex.Unlock()
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
	rb.iteratorMutex.Lock()
	defer rb.iteratorMutex.Unlock()
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
	it.rb.removeIterator(it)
	return nil
}

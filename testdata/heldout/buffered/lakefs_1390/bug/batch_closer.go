// Package bug is a held-out kernel (issue 14): a send into a bounded queue
// that is full, made while holding a mutex that the queue's consumers need
// to drain it.
//
// Upstream: treeverse/lakeFS#1390 ("Deadlock in batch-writer-closer")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: CloseWriterAsync holds bc.mu while it queues the writer on the
// buffered pending channel; when the channel is full it waits with the
// mutex held, and the closing workers, which lock bc.mu to record a close
// error before they take the next writer, cannot drain it.
//
// Fix: CloseWriterAsync checks the error under the mutex and queues the
// writer after releasing it.
package bug

import (
	"errors"
	"sync"
)

// StorageWriter is a file being written to the object store.
type StorageWriter interface {
	Close() error
}

// BatchCloser closes writers in the background with a few workers.
type BatchCloser struct {
	mu      sync.Mutex
	err     error
	pending chan StorageWriter
	wg      sync.WaitGroup
}

// NewBatchCloser starts numClosers workers with a queue of the same size.
func NewBatchCloser(numClosers int) *BatchCloser {
	bc := &BatchCloser{pending: make(chan StorageWriter, numClosers)}
	bc.wg.Add(numClosers)
	for i := 0; i < numClosers; i++ {
		go bc.handleClose()
	}
	return bc
}

var errAlreadyClosed = errors.New("batch closer already closed")

// CloseWriterAsync queues w to be closed.
func (bc *BatchCloser) CloseWriterAsync(w StorageWriter) error {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.err != nil {
		return bc.err
	}
	bc.pending <- w // heldout:site
	return nil
}

func (bc *BatchCloser) handleClose() {
	defer bc.wg.Done()
	for w := range bc.pending {
		if err := w.Close(); err != nil {
			bc.mu.Lock() // heldout:site
			if bc.err == nil {
				bc.err = err
			}
			bc.mu.Unlock()
		}
	}
}

// Wait closes the queue and waits for the workers.
func (bc *BatchCloser) Wait() error {
	bc.mu.Lock()
	if bc.err == nil {
		bc.err = errAlreadyClosed
	}
	bc.mu.Unlock()
	close(bc.pending)
	bc.wg.Wait()
	return nil
}

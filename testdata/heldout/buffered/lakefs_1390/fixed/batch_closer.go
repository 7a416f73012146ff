// Package fixed is the fixed version of buffered/lakefs_1390: the writer is
// queued with the mutex released.
package fixed

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
	senders sync.WaitGroup
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
	if err := bc.err; err != nil {
		bc.mu.Unlock()
		return err
	}
	// Wait will not close the queue before this send is done.
	bc.senders.Add(1)
	bc.mu.Unlock()
	bc.pending <- w
	bc.senders.Done()
	return nil
}

func (bc *BatchCloser) handleClose() {
	defer bc.wg.Done()
	for w := range bc.pending {
		if err := w.Close(); err != nil {
			bc.mu.Lock()
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
	bc.senders.Wait()
	close(bc.pending)
	bc.wg.Wait()
	return nil
}

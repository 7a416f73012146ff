// Package fixed is the fixed version of buffered/otelcol_11063: push fails
// with errSizedQueueFull instead of blocking on a full channel.
package fixed

import (
	"context"
	"sync"
)

type permanentQueueEl struct{}

type persistentQueue struct {
	*sizedChannel[permanentQueueEl]

	mu                       sync.Mutex
	readIndex                uint64
	writeIndex               uint64
	currentlyDispatchedItems map[uint64]bool
	storage                  map[uint64][]byte
}

func newPersistentQueue(capacity int64) *persistentQueue {
	return &persistentQueue{
		sizedChannel:             newSizedChannel[permanentQueueEl](capacity, int(capacity)),
		currentlyDispatchedItems: make(map[uint64]bool),
		storage:                  make(map[uint64][]byte),
	}
}

// Offer inserts a request into the queue.
func (pq *persistentQueue) Offer(ctx context.Context, req []byte) error {
	pq.mu.Lock()
	defer pq.mu.Unlock()
	return pq.sizedChannel.push(permanentQueueEl{}, 1, func() error {
		pq.storage[pq.writeIndex] = req
		pq.writeIndex++
		return nil
	})
}

// Consume hands the next request to consumeFunc.
func (pq *persistentQueue) Consume(consumeFunc func(ctx context.Context, req []byte) error) bool {
	for {
		var (
			index    uint64
			req      []byte
			consumed bool
		)
		_, ok := pq.sizedChannel.pop(func(permanentQueueEl) int64 {
			pq.mu.Lock()
			defer pq.mu.Unlock()
			index, req, consumed = pq.getNextItem()
			if consumed {
				return 1
			}
			return 0
		})
		if !ok {
			return false
		}
		if consumed {
			_ = consumeFunc(context.Background(), req)
			pq.onProcessingFinished(index)
			return true
		}
	}
}

func (pq *persistentQueue) getNextItem() (uint64, []byte, bool) {
	if pq.readIndex == pq.writeIndex {
		return 0, nil, false
	}
	index := pq.readIndex
	pq.readIndex++
	pq.currentlyDispatchedItems[index] = true
	return index, pq.storage[index], true
}

func (pq *persistentQueue) onProcessingFinished(index uint64) {
	pq.mu.Lock()
	defer pq.mu.Unlock()
	delete(pq.currentlyDispatchedItems, index)
	delete(pq.storage, index)
	if pq.readIndex == pq.writeIndex {
		pq.sizedChannel.syncSize()
	}
}

// Shutdown stops the queue; consumers return once it is drained.
func (pq *persistentQueue) Shutdown() {
	pq.mu.Lock()
	defer pq.mu.Unlock()
	pq.sizedChannel.shutdown()
}

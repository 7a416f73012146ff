// Package bug is a held-out kernel (issue 14): a persistent queue whose
// Offer holds the queue mutex while it sends into the bounded element
// channel, and whose consumers need that mutex before they can take the
// next element; once the size accounting drifts below the channel's real
// length, the send finds the channel full.
//
// Upstream: open-telemetry/opentelemetry-collector#11063 ("return queue is full error if sized_channel is full", fixes open-telemetry/opentelemetry-collector#11015)
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: onProcessingFinished resets the sized channel's "used" counter to
// the channel's length when the queue looks empty, while other consumers
// have already popped elements whose sizes they have not subtracted yet;
// when they do, "used" falls below the number of queued elements. Offer
// then passes the capacity check, and with the queue mutex held blocks
// sending into the full channel. Every consumer is waiting for the same
// mutex (in pop's callback or in onProcessingFinished), so nobody drains
// the channel. The PR walks through this sequence; the storage is a map
// in our reduction of persistent_queue.go and sized_channel.go.
//
// Fix: push returns errSizedQueueFull when the channel is full instead of
// waiting for room.
package bug

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
			pq.mu.Lock() // heldout:site
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
	pq.mu.Lock() // heldout:site
	defer pq.mu.Unlock()
	delete(pq.currentlyDispatchedItems, index)
	delete(pq.storage, index)
	if pq.readIndex == pq.writeIndex {
		pq.sizedChannel.syncSize() // heldout:site
	}
}

// Shutdown stops the queue; consumers return once it is drained.
func (pq *persistentQueue) Shutdown() {
	pq.mu.Lock()
	defer pq.mu.Unlock()
	pq.sizedChannel.shutdown()
}

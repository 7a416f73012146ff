// Package bug is a held-out kernel (issue 14): a consumer's write lock
// held across a call that read-locks every consumer, itself included.
//
// Upstream: dropbox/marshal#55 ("Deadlock in call to marshal.Terminate from Consumer.tryClaimPartition")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: tryClaimPartition holds c.lock and, on a fatal claim error, calls
// marshal.Terminate, which calls terminateAndCleanup on every consumer;
// terminateAndCleanup read-locks the consumer's lock, which for this
// consumer is held for writing by the same goroutine.
//
// Fix: Terminate is called from a new goroutine.
package bug

import (
	"errors"
	"sync"
)

// Marshaler coordinates the consumers of a process.
type Marshaler struct {
	lock      sync.RWMutex
	consumers []*Consumer
	claims    map[int]string
}

var errClaimLost = errors.New("marshal: claim lost")

func (m *Marshaler) claimPartition(partID int, clientID string) error {
	m.lock.Lock()
	defer m.lock.Unlock()
	if owner, ok := m.claims[partID]; ok && owner != clientID {
		return errClaimLost
	}
	m.claims[partID] = clientID
	return nil
}

// Terminate stops every consumer.
func (m *Marshaler) Terminate() {
	m.lock.RLock()
	consumers := append([]*Consumer(nil), m.consumers...)
	m.lock.RUnlock()
	for _, c := range consumers {
		c.terminateAndCleanup(false) // heldout:site
	}
}

// Consumer claims and consumes partitions.
type Consumer struct {
	lock       sync.RWMutex
	marshal    *Marshaler
	clientID   string
	claims     map[int]bool
	terminated bool
}

func (c *Consumer) terminateAndCleanup(release bool) {
	c.lock.RLock() // heldout:site
	claims := len(c.claims)
	c.lock.RUnlock()
	_ = claims
}

func (c *Consumer) tryClaimPartition(partID int) bool {
	c.lock.Lock()
	defer c.lock.Unlock()
	if err := c.marshal.claimPartition(partID, c.clientID); err != nil {
		c.marshal.Terminate() // heldout:site
		return false
	}
	c.claims[partID] = true
	return true
}

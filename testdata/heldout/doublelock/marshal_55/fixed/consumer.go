// Package fixed is the fixed version of doublelock/marshal_55: Terminate
// runs on its own goroutine, after the consumer's lock is released.
package fixed

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
		c.terminateAndCleanup(false)
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
	c.lock.RLock()
	claims := len(c.claims)
	c.lock.RUnlock()
	_ = claims
}

func (c *Consumer) tryClaimPartition(partID int) bool {
	c.lock.Lock()
	defer c.lock.Unlock()
	if err := c.marshal.claimPartition(partID, c.clientID); err != nil {
		// Terminate locks every consumer, this one too.
		go c.marshal.Terminate()
		return false
	}
	c.claims[partID] = true
	return true
}

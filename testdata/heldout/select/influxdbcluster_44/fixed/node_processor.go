// Package fixed is the fixed version of select/influxdbcluster_44: the run
// loop keeps the done channel it was started with, and Close clears the
// field only after the loop has returned.
package fixed

import (
	"sync"
	"time"
)

// NodeProcessor drains the hinted-handoff queue of one node.
type NodeProcessor struct {
	mu            sync.RWMutex
	wg            sync.WaitGroup
	done          chan struct{}
	RetryInterval time.Duration
	queue         [][]byte
}

// Open starts the processor.
func (n *NodeProcessor) Open() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.done != nil {
		return nil
	}
	n.done = make(chan struct{})
	n.wg.Add(1)
	go n.run(n.done)
	return nil
}

func (n *NodeProcessor) run(done chan struct{}) {
	defer n.wg.Done()
	t := time.NewTicker(n.RetryInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			n.sendWrites()
		}
	}
}

func (n *NodeProcessor) sendWrites() {
	n.mu.Lock()
	n.queue = n.queue[:0]
	n.mu.Unlock()
}

// Close stops the processor and waits for it.
func (n *NodeProcessor) Close() error {
	n.mu.Lock()
	if n.done == nil {
		n.mu.Unlock()
		return nil
	}
	close(n.done)
	n.mu.Unlock()
	n.wg.Wait()
	n.mu.Lock()
	n.done = nil
	n.mu.Unlock()
	return nil
}

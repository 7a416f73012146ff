// Package bug is a held-out kernel (issue 14): a stop channel set to nil
// before waiting for the goroutine that selects on it, so the goroutine
// selects on a nil channel and Close waits forever.
//
// Upstream: chengshiwen/influxdb-cluster#44 ("BUGFIX: Close chan before wg.Wait cause close-event missing in NodeProcessor.")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: Close closes n.done and sets it to nil, then waits on the
// WaitGroup; the run loop reads n.done afresh on each iteration, so an
// iteration that starts after Close sees nil, never takes the done case,
// and never calls wg.Done.
//
// Fix: n.done is set to nil only after wg.Wait returns.
package bug

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
	go n.run()
	return nil
}

func (n *NodeProcessor) doneChan() chan struct{} {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.done
}

func (n *NodeProcessor) run() {
	defer n.wg.Done()
	t := time.NewTicker(n.RetryInterval)
	defer t.Stop()
	for {
		select {
		case <-n.doneChan(): // heldout:site
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
	n.done = nil // heldout:site
	n.mu.Unlock()
	n.wg.Wait() // heldout:site
	return nil
}

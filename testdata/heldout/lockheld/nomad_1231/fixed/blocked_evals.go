// Package fixed is the fixed version of lockheld/nomad_1231: SetEnabled's
// no-op branch unlocks before returning.
package fixed

import (
	"sync"
)

// Evaluation is a scheduling evaluation.
type Evaluation struct {
	ID            string
	ComputedClass string
	Escaped       bool
}

// EvalBroker receives unblocked evaluations.
type EvalBroker interface {
	Enqueue(*Evaluation)
}

type capacityUpdate struct {
	computedClass string
	index         uint64
}

// BlockedEvals holds evaluations waiting for capacity.
type BlockedEvals struct {
	evalBroker EvalBroker
	enabled    bool

	captured map[string]*Evaluation
	escaped  map[string]*Evaluation

	capacityChangeCh chan *capacityUpdate
	stopCh           chan struct{}

	l sync.RWMutex
}

// NewBlockedEvals returns a disabled tracker.
func NewBlockedEvals(broker EvalBroker) *BlockedEvals {
	return &BlockedEvals{
		evalBroker:       broker,
		captured:         make(map[string]*Evaluation),
		escaped:          make(map[string]*Evaluation),
		capacityChangeCh: make(chan *capacityUpdate, 8096),
		stopCh:           make(chan struct{}),
	}
}

// Enabled reports whether the tracker is enabled.
func (b *BlockedEvals) Enabled() bool {
	b.l.RLock()
	defer b.l.RUnlock()
	return b.enabled
}

// SetEnabled enables the tracker on the leader and disables it elsewhere.
func (b *BlockedEvals) SetEnabled(enabled bool) {
	b.l.Lock()
	if b.enabled == enabled {
		// No-op
		b.l.Unlock()
		return
	} else if enabled {
		go b.watchCapacity(b.stopCh)
	} else {
		close(b.stopCh)
	}
	b.enabled = enabled
	b.l.Unlock()
	if !enabled {
		b.Flush()
	}
}

// Block records an evaluation that could not be placed.
func (b *BlockedEvals) Block(eval *Evaluation) {
	b.l.Lock()
	defer b.l.Unlock()
	if !b.enabled {
		return
	}
	if eval.Escaped {
		b.escaped[eval.ID] = eval
		return
	}
	b.captured[eval.ID] = eval
}

// Unblock notes new capacity of the given class.
func (b *BlockedEvals) Unblock(computedClass string, index uint64) {
	b.l.RLock()
	enabled := b.enabled
	b.l.RUnlock()
	if !enabled {
		return
	}
	b.capacityChangeCh <- &capacityUpdate{computedClass: computedClass, index: index}
}

func (b *BlockedEvals) watchCapacity(stopCh <-chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		case update := <-b.capacityChangeCh:
			b.unblock(update.computedClass)
		}
	}
}

func (b *BlockedEvals) unblock(computedClass string) {
	b.l.Lock()
	var unblocked []*Evaluation
	for id, eval := range b.captured {
		if eval.ComputedClass == computedClass {
			unblocked = append(unblocked, eval)
			delete(b.captured, id)
		}
	}
	for id, eval := range b.escaped {
		unblocked = append(unblocked, eval)
		delete(b.escaped, id)
	}
	b.l.Unlock()
	for _, eval := range unblocked {
		b.evalBroker.Enqueue(eval)
	}
}

// Flush drops every tracked evaluation.
func (b *BlockedEvals) Flush() {
	b.l.Lock()
	defer b.l.Unlock()
	b.captured = make(map[string]*Evaluation)
	b.escaped = make(map[string]*Evaluation)
	b.stopCh = make(chan struct{})
}

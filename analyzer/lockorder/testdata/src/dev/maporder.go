package dev

import (
	"sort"
	"sync"
)

// Upstream: milvus-io/milvus#29246
//
// A pipeline pauses every stage by locking each stage's gate while it
// ranges over its map of stages, and keeps them all locked until it
// resumes. Two goroutines pausing the pipeline at once range over the map
// in two different orders (Go randomizes each range over a map): each
// locks one stage and waits for the stage the other holds. Fix: the stages
// are paused in a fixed order (the order they were added).
type stage struct {
	gate sync.Mutex
	name string
}

func (st *stage) pause()  { st.gate.Lock() }
func (st *stage) resume() { st.gate.Unlock() }

type pipeline struct {
	stages map[string]*stage
	order  []string
}

func (p *pipeline) pauseAll() {
	for _, st := range p.stages {
		st.pause() // want `p.stages\[…\].gate \(inside p.stages\[…\].pause\) is locked for each element of p.stages in the map's iteration order and kept locked into the next iteration`
	}
}

func (p *pipeline) resumeAll() {
	for _, st := range p.stages {
		st.resume()
	}
}

// The fix: a fixed order.
func (p *pipeline) pauseAllOK() {
	for _, name := range p.order {
		p.stages[name].pause()
	}
}

// A variant written differently: the element's mutex is locked directly,
// the map is a parameter of a named map type, the loop skips some
// elements with continue, and the locks are released by deferred calls.
type account struct {
	mu      sync.Mutex
	balance int
	frozen  bool
}

type ledger map[int]*account

func total(l ledger) (sum int) {
	for _, a := range l {
		if a.frozen {
			continue
		}
		a.mu.Lock() // want `l\[…\].mu is locked for each element of l in the map's iteration order and kept locked into the next iteration`
		defer a.mu.Unlock()
		sum += a.balance
	}
	return sum
}

// The fix of the variant: sorted keys.
func totalOK(l ledger) (sum int) {
	keys := make([]int, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		a := l[k]
		a.mu.Lock()
		defer a.mu.Unlock()
		sum += a.balance
	}
	return sum
}

// Look-alike negatives.

// Each element is unlocked before the next is locked.
func totalEach(l ledger) (sum int) {
	for _, a := range l {
		a.mu.Lock()
		sum += a.balance
		a.mu.Unlock()
	}
	return sum
}

// Read locks: two goroutines read-locking in different orders do not
// block each other.
type rstage struct {
	mu sync.RWMutex
	n  int
}

func readAll(m map[string]*rstage) (n int) {
	for _, s := range m {
		s.mu.RLock()
		defer s.mu.RUnlock()
		n += s.n
	}
	return n
}

// The loop runs under the owner's lock, so one goroutine at a time runs
// it.
type bank struct {
	mu       sync.Mutex
	accounts map[int]*account
}

func (b *bank) freezeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.accounts {
		a.mu.Lock()
		a.frozen = true
	}
	for _, a := range b.accounts {
		a.mu.Unlock()
	}
}

// The element's lock is released on the path that stays in the loop; the
// one kept is the element found, after the loop.
func (b *bank) lockFirstFrozen() *account {
	for _, a := range b.accounts {
		a.mu.Lock()
		if a.frozen {
			return a
		}
		a.mu.Unlock()
	}
	return nil
}

// A helper the package calls only with the owner's lock held: the owner's
// lock is the gate, in the caller.
func (b *bank) freezeLocked() {
	for _, a := range b.accounts {
		a.mu.Lock()
		a.frozen = true
	}
}

func (b *bank) thawLocked() {
	for _, a := range b.accounts {
		a.frozen = false
		a.mu.Unlock()
	}
}

func (b *bank) audit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.freezeLocked()
	b.thawLocked()
}

// The same helper called once without the gate is reported.
type vault struct {
	mu    sync.Mutex
	boxes map[string]*account
}

func (v *vault) sealAll() {
	for _, a := range v.boxes {
		a.mu.Lock() // want `v.boxes\[…\].mu is locked for each element of v.boxes in the map's iteration order`
	}
}

func (v *vault) audit() {
	v.mu.Lock()
	v.sealAll()
	v.mu.Unlock()
}

func (v *vault) emergency() {
	v.sealAll()
}

// A variant written differently: the loop ranges over the keys and looks
// each element up again.
func (v *vault) sealByKey() {
	for name := range v.boxes {
		v.boxes[name].mu.Lock() // want `v.boxes\[…\].mu is locked for each element of v.boxes in the map's iteration order`
	}
}

// Look-alike negative: looked up again by key and unlocked by key in the
// same iteration.
func (v *vault) countByKey() (n int) {
	for name := range v.boxes {
		v.boxes[name].mu.Lock()
		n += v.boxes[name].balance
		v.boxes[name].mu.Unlock()
	}
	return n
}

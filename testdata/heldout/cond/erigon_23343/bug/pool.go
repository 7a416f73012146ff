// Package bug is a held-out kernel (issue 14): Erigon's transaction pool
// makes a block builder that asks for the best transactions on top of a
// block it has not seen yet wait on a sync.Cond until that block arrives;
// only OnNewBlock broadcasts it. The builder's context is checked nowhere
// in that wait, so a builder that gives up (its context cancelled) stays
// parked in Cond.Wait, holding its read transaction, until a new block
// comes; while the chain is stalled none comes, and the parked builders
// accumulate for ever.
//
// Upstream: erigontech/erigon#23343 ("txnprovider/txpool: wake a caller that goes away while waiting for a block")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "TxPool.best parks in p.lastSeenCond.Wait() until the block
// it was asked to build on top of arrives. sync.Cond has no notion of a
// context: the wait ends when a new block broadcasts the condition ... or
// when the node shuts down. Cancelling the caller does nothing. ... While
// the chain is stalled that is never." The pool's lock, lastSeenBlock,
// lastSeenCond and the broadcast in OnNewBlock are the PR's; the pending,
// base-fee and queued sub-pools, the read transaction and the yielded set
// are our reduction.
//
// Fix: as the PR describes it, cancellation broadcasts the condition while
// holding the pool lock (so it cannot fall between the caller's context
// check and its Wait), and the waiting loop returns the context's error;
// registering the broadcast with context.AfterFunc is our reading.
package bug

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
)

// Txn is a pooled transaction.
type Txn struct {
	Hash   [32]byte
	Tip    uint64
	Gas    uint64
	Sender string
}

// TxnsRlp collects the transactions handed to a builder.
type TxnsRlp struct {
	Txns []*Txn
}

// ReadTx is a read-only database transaction held while building.
type ReadTx interface {
	Rollback()
}

// TxPool holds pending transactions.
type TxPool struct {
	lock          sync.Mutex
	lastSeenCond  *sync.Cond
	lastSeenBlock atomic.Uint64
	pending       []*Txn
	beginRo       func(ctx context.Context) (ReadTx, error)
}

// New returns an empty pool.
func New(beginRo func(ctx context.Context) (ReadTx, error)) *TxPool {
	p := &TxPool{beginRo: beginRo}
	p.lastSeenCond = sync.NewCond(&p.lock)
	return p
}

// OnNewBlock records the new head and wakes builders waiting for it.
func (p *TxPool) OnNewBlock(block uint64, minedHashes map[[32]byte]bool) {
	p.lock.Lock()
	kept := p.pending[:0]
	for _, t := range p.pending {
		if !minedHashes[t.Hash] {
			kept = append(kept, t)
		}
	}
	p.pending = kept
	p.lastSeenBlock.Store(block)
	p.lock.Unlock()
	p.lastSeenCond.Broadcast() // heldout:site
}

// Add puts a transaction into the pending pool.
func (p *TxPool) Add(t *Txn) {
	p.lock.Lock()
	defer p.lock.Unlock()
	p.pending = append(p.pending, t)
}

func (p *TxPool) best(ctx context.Context, n int, txns *TxnsRlp, onTopOf, availableGas uint64, yielded map[[32]byte]bool) (bool, int, error) {
	p.lock.Lock()
	defer p.lock.Unlock()

	for last := p.lastSeenBlock.Load(); last < onTopOf; last = p.lastSeenBlock.Load() {
		p.lastSeenCond.Wait() // heldout:site
	}

	best := append([]*Txn(nil), p.pending...)
	sort.Slice(best, func(i, j int) bool { return best[i].Tip > best[j].Tip })
	count := 0
	for _, t := range best {
		if count >= n {
			break
		}
		if yielded[t.Hash] || t.Gas > availableGas {
			continue
		}
		availableGas -= t.Gas
		yielded[t.Hash] = true
		txns.Txns = append(txns.Txns, t)
		count++
	}
	return len(best) > count, count, nil
}

// YieldBest hands a builder up to n transactions on top of block onTopOf.
func (p *TxPool) YieldBest(ctx context.Context, n int, txns *TxnsRlp, onTopOf, availableGas uint64, yielded map[[32]byte]bool) (bool, int, error) {
	tx, err := p.beginRo(ctx)
	if err != nil {
		return false, 0, err
	}
	defer tx.Rollback()
	return p.best(ctx, n, txns, onTopOf, availableGas, yielded)
}

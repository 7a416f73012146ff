// Package fixed is the fixed version of cond/erigon_23343: when the
// builder's context is cancelled, a callback registered with
// context.AfterFunc takes the pool lock and broadcasts lastSeenCond, and
// the waiting loop checks the context before each Wait, so a builder that
// went away returns instead of waiting for the next block.
package fixed

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
	p.lastSeenCond.Broadcast()
}

// Add puts a transaction into the pending pool.
func (p *TxPool) Add(t *Txn) {
	p.lock.Lock()
	defer p.lock.Unlock()
	p.pending = append(p.pending, t)
}

func (p *TxPool) best(ctx context.Context, n int, txns *TxnsRlp, onTopOf, availableGas uint64, yielded map[[32]byte]bool) (bool, int, error) {
	stop := context.AfterFunc(ctx, func() {
		p.lock.Lock()
		defer p.lock.Unlock()
		p.lastSeenCond.Broadcast()
	})
	defer stop()

	p.lock.Lock()
	defer p.lock.Unlock()

	for last := p.lastSeenBlock.Load(); last < onTopOf; last = p.lastSeenBlock.Load() {
		if err := ctx.Err(); err != nil {
			return false, 0, err
		}
		p.lastSeenCond.Wait()
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

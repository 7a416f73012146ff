// Package bug is a held-out kernel (issue 14): a mutex left locked on an
// early return.
//
// Upstream: dusk-network/dusk-blockchain#929 ("Fix observed deadlock on devnet")
// Seen: 485d1a0 (analyzer/lockorder's testdata kernels/left.go K20 reduces the same bug)
//
// Bug: acceptConsensusResults locks the chain's mutex and returns early when
// the consensus result is not usable without releasing it; every later
// caller that locks the chain (block acceptance, the synchronizer) blocks,
// and the message channels fill up behind them.
//
// Fix: the mutex is released with defer, so every return unlocks it.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Block is a certified block.
type Block struct {
	Height uint64
	Hash   []byte
}

// Chain holds the tip of the blockchain.
type Chain struct {
	lock      sync.RWMutex
	tip       *Block
	verifiers []func(*Block) error
}

var errInvalidHeight = errors.New("consensus result has a stale height")

func (c *Chain) acceptConsensusResults(ctx context.Context, blk *Block) error {
	c.lock.Lock() // heldout:site
	if blk.Height != c.tip.Height+1 {
		return errInvalidHeight // heldout:site
	}
	for _, verify := range c.verifiers {
		if err := verify(blk); err != nil {
			c.lock.Unlock()
			return err
		}
	}
	c.tip = blk
	c.lock.Unlock()
	return nil
}

// CurrentHeight is read by the synchronizer.
func (c *Chain) CurrentHeight() uint64 {
	c.lock.RLock() // heldout:site
	defer c.lock.RUnlock()
	return c.tip.Height
}

// ProcessResults accepts every result the consensus loop produces.
func (c *Chain) ProcessResults(ctx context.Context, results <-chan *Block) {
	for blk := range results {
		_ = c.acceptConsensusResults(ctx, blk)
	}
}

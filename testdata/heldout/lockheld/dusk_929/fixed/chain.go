// Package fixed is the fixed version of lockheld/dusk_929: every return of
// acceptConsensusResults unlocks the chain.
package fixed

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
	c.lock.Lock()
	defer c.lock.Unlock()
	if blk.Height != c.tip.Height+1 {
		return errInvalidHeight
	}
	for _, verify := range c.verifiers {
		if err := verify(blk); err != nil {
			return err
		}
	}
	c.tip = blk
	return nil
}

// CurrentHeight is read by the synchronizer.
func (c *Chain) CurrentHeight() uint64 {
	c.lock.RLock()
	defer c.lock.RUnlock()
	return c.tip.Height
}

// ProcessResults accepts every result the consensus loop produces.
func (c *Chain) ProcessResults(ctx context.Context, results <-chan *Block) {
	for blk := range results {
		_ = c.acceptConsensusResults(ctx, blk)
	}
}

// Package bug is a held-out kernel (issue 14): a light client that asks
// every witness for a block on its own goroutine, each of which gives up
// sending its answer when the context is cancelled, while the collecting
// loop counts on one answer per witness with a plain receive.
//
// Upstream: tendermint/tendermint#8871 ("light: fix light client select statement")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: findNewPrimary starts one goroutine per witness; each fetches the
// light block and then selects between sending its response and
// ctx.Done(). The caller then loops cap(witnessResponsesC) times on
// response := <-witnessResponsesC. Once ctx is cancelled, a goroutine may
// take the Done case and exit without sending (select picks at random when
// both are ready), so the loop waits for a response that never comes, with
// providerMutex held. The PR names the cancelled context and the sender
// that exits; the surrounding client is our reduction.
//
// Fix: the collecting receive also selects on ctx.Done and returns the
// context's error.
package bug

import (
	"context"
	"errors"
	"sync"
)

// LightBlock is a signed header with its validator set.
type LightBlock struct{ Height int64 }

// Provider serves light blocks.
type Provider interface {
	LightBlock(ctx context.Context, height int64) (*LightBlock, error)
}

type witnessResponse struct {
	lb           *LightBlock
	witnessIndex int
	err          error
}

// Client is a light client.
type Client struct {
	providerMutex sync.Mutex
	primary       Provider
	witnesses     []Provider
}

var errNoWitnesses = errors.New("no witnesses connected")

func (c *Client) findNewPrimary(ctx context.Context, height int64) (*LightBlock, error) {
	c.providerMutex.Lock()
	defer c.providerMutex.Unlock()

	if len(c.witnesses) < 1 {
		return nil, errNoWitnesses
	}
	var wg sync.WaitGroup
	witnessResponsesC := make(chan witnessResponse, len(c.witnesses))
	for index := range c.witnesses {
		wg.Add(1)
		go func(witnessIndex int) {
			defer wg.Done()
			lb, err := c.witnesses[witnessIndex].LightBlock(ctx, height)
			select {
			case witnessResponsesC <- witnessResponse{lb, witnessIndex, err}:
			case <-ctx.Done(): // heldout:site
			}
		}(index)
	}

	var lastErr error
	for i := 0; i < cap(witnessResponsesC); i++ {
		response := <-witnessResponsesC // heldout:site
		if response.err == nil {
			c.primary = c.witnesses[response.witnessIndex]
			c.witnesses = append(c.witnesses[:response.witnessIndex:response.witnessIndex], c.witnesses[response.witnessIndex+1:]...)
			wg.Wait()
			return response.lb, nil
		}
		lastErr = response.err
	}
	return nil, lastErr
}

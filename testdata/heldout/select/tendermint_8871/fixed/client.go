// Package fixed is the fixed version of select/tendermint_8871: the
// collecting receive also selects on the context.
package fixed

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
			case <-ctx.Done():
			}
		}(index)
	}

	var lastErr error
	for i := 0; i < cap(witnessResponsesC); i++ {
		var response witnessResponse
		select {
		case response = <-witnessResponsesC:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
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

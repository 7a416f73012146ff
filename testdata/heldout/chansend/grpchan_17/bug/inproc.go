// Package bug is a held-out kernel (issue 14): an in-process gRPC channel
// whose unary call runs the server handler on a goroutine that hands the
// reply back over a channel with a plain send, so a call whose context is
// cancelled or times out first leaves that goroutine blocked for ever.
//
// Upstream: fullstorydev/grpchan#17 ("fix goroutine leak in inprocgrpc")
// Round: 6
//
// Bug: Invoke dispatches the unary RPC to the registered handler on its
// own goroutine and waits in a select for either the reply or the RPC
// context's Done. When the deadline is exceeded or the caller cancels,
// Invoke returns the context error and nothing reads the reply channel
// again; the handler goroutine, once the handler returns, blocks on its
// write. The PR says writes to the channel "must use select to respect RPC
// context"; the shape of Invoke and the handler plumbing are our reduction.
//
// Fix: the handler goroutine's write selects on the RPC context's Done
// (the PR chose this over the larger buffer proposed in #16, to keep
// back-pressure).
package bug

import (
	"context"
	"fmt"
)

// Handler is a unary method implementation.
type Handler func(ctx context.Context, req interface{}) (interface{}, error)

// Channel dispatches RPCs to handlers in the same process.
type Channel struct {
	handlers map[string]Handler
}

type unaryResult struct {
	resp interface{}
	err  error
}

// Invoke performs a unary RPC.
func (c *Channel) Invoke(ctx context.Context, method string, req interface{}) (interface{}, error) {
	h, ok := c.handlers[method]
	if !ok {
		return nil, fmt.Errorf("unimplemented: %s", method)
	}
	ch := make(chan unaryResult)
	go func() {
		resp, err := h(ctx, req)
		ch <- unaryResult{resp: resp, err: err} // heldout:site
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, ctx.Err() // heldout:site
	}
}

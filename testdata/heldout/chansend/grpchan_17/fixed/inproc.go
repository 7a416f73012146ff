// Package fixed is the fixed version of chansend/grpchan_17: the handler
// goroutine's write selects on the RPC context.
package fixed

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
		select {
		case ch <- unaryResult{resp: resp, err: err}:
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

package real

import (
	"context"
	"errors"
	"sync"
)

// Upstream: sourcegraph/jsonrpc2#3
//
// Bug: a register helper allocates the pending call with an unbuffered
// done channel, keeps it in the connection's pending map and returns it;
// Call waits on call.done in a select that returns when its context ends,
// and the connection's reader, which finds the call in the map later,
// blocks forever on its plain send, and with it the whole connection.
// Fix: done gets a buffer of one.
type pendingCall struct {
	id   uint64
	done chan error
}

type rpcConn struct {
	mu      sync.Mutex
	seq     uint64
	pending map[uint64]*pendingCall
	replies chan uint64
}

func newRPCConn() *rpcConn {
	c := &rpcConn{pending: map[uint64]*pendingCall{}, replies: make(chan uint64)}
	go c.read()
	return c
}

func (c *rpcConn) register() *pendingCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	pc := &pendingCall{id: c.seq, done: make(chan error)}
	c.seq++
	c.pending[pc.id] = pc
	return pc
}

func (c *rpcConn) read() {
	for id := range c.replies {
		c.mu.Lock()
		pc := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if pc != nil {
			pc.done <- nil // want `this plain send replies on field done, and register fills that field with an unbuffered channel \(line \d+\) whose only receive, in Call, is a select \(line \d+\) that can give up through another case and return \(line \d+\)`
		}
	}
}

func (c *rpcConn) Call(ctx context.Context) error {
	pc := c.register()
	select {
	case err := <-pc.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The register helper of jsonrpc2 itself: the call is made on one path,
// the helper has a deferred unlock (its results go through slots) and
// returns an error beside it.
type wireCall struct {
	done chan error
}

type wireConn struct {
	mu      sync.Mutex
	pending map[int]*wireCall
	seq     int
	in      chan int
}

var errWireClosed = errors.New("closed")

func newWireConn() *wireConn {
	c := &wireConn{pending: map[int]*wireCall{}, in: make(chan int)}
	go c.readLoop()
	return c
}

func (c *wireConn) send(wait bool) (*wireCall, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		return nil, errWireClosed
	}
	var cc *wireCall
	if wait {
		cc = &wireCall{done: make(chan error)}
		c.pending[c.seq] = cc
		c.seq++
	}
	return cc, nil
}

func (c *wireConn) readLoop() {
	for id := range c.in {
		c.mu.Lock()
		cc := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if cc == nil {
			continue
		}
		cc.done <- nil // want `this plain send replies on field done, and send fills that field with an unbuffered channel`
		close(cc.done)
	}
}

func (c *wireConn) Call(ctx context.Context) error {
	cc, err := c.send(true)
	if err != nil {
		return err
	}
	select {
	case err, ok := <-cc.done:
		if !ok {
			return errWireClosed
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fixed: a buffer of one takes the late reply.
type bufferedCall struct {
	done chan error
}

type bufferedConn struct {
	mu      sync.Mutex
	pending map[int]*bufferedCall
	in      chan int
}

func newBufferedConn() *bufferedConn {
	c := &bufferedConn{pending: map[int]*bufferedCall{}, in: make(chan int)}
	go c.readLoop()
	return c
}

func (c *bufferedConn) register(id int) *bufferedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	bc := &bufferedCall{done: make(chan error, 1)}
	c.pending[id] = bc
	return bc
}

func (c *bufferedConn) readLoop() {
	for id := range c.in {
		c.mu.Lock()
		bc := c.pending[id]
		c.mu.Unlock()
		if bc != nil {
			bc.done <- nil
		}
	}
}

func (c *bufferedConn) Call(ctx context.Context, id int) error {
	bc := c.register(id)
	select {
	case err := <-bc.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The caller waits without giving up: nothing is left behind.
type waitedCall struct {
	done chan error
}

type waitedConn struct {
	mu      sync.Mutex
	pending map[int]*waitedCall
	in      chan int
}

func newWaitedConn() *waitedConn {
	c := &waitedConn{pending: map[int]*waitedCall{}, in: make(chan int)}
	go c.readLoop()
	return c
}

func (c *waitedConn) register(id int) *waitedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	wc := &waitedCall{done: make(chan error)}
	c.pending[id] = wc
	return wc
}

func (c *waitedConn) readLoop() {
	for id := range c.in {
		c.mu.Lock()
		wc := c.pending[id]
		c.mu.Unlock()
		if wc != nil {
			wc.done <- nil
		}
	}
}

func (c *waitedConn) Call(id int) error {
	wc := c.register(id)
	return <-wc.done
}

// The caller that gives up hands the late reply to a drainer.
type drainedCall struct {
	done chan error
}

type drainedConn struct {
	mu      sync.Mutex
	pending map[int]*drainedCall
	in      chan int
}

func newDrainedConn() *drainedConn {
	c := &drainedConn{pending: map[int]*drainedCall{}, in: make(chan int)}
	go c.readLoop()
	return c
}

func (c *drainedConn) register(id int) *drainedCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	dc := &drainedCall{done: make(chan error)}
	c.pending[id] = dc
	return dc
}

func (c *drainedConn) readLoop() {
	for id := range c.in {
		c.mu.Lock()
		dc := c.pending[id]
		c.mu.Unlock()
		if dc != nil {
			dc.done <- nil
		}
	}
}

func (c *drainedConn) Call(ctx context.Context, id int) error {
	dc := c.register(id)
	select {
	case err := <-dc.done:
		return err
	case <-ctx.Done():
		go func() { <-dc.done }()
		return ctx.Err()
	}
}

// The replier offers the reply in a select with a default: it never blocks.
type offeredCall struct {
	done chan error
}

type offeredConn struct {
	mu      sync.Mutex
	pending map[int]*offeredCall
	in      chan int
}

func newOfferedConn() *offeredConn {
	c := &offeredConn{pending: map[int]*offeredCall{}, in: make(chan int)}
	go c.readLoop()
	return c
}

func (c *offeredConn) register(id int) *offeredCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	oc := &offeredCall{done: make(chan error)}
	c.pending[id] = oc
	return oc
}

func (c *offeredConn) readLoop() {
	for id := range c.in {
		c.mu.Lock()
		oc := c.pending[id]
		c.mu.Unlock()
		if oc != nil {
			select {
			case oc.done <- nil:
			default:
			}
		}
	}
}

func (c *offeredConn) Call(ctx context.Context, id int) error {
	oc := c.register(id)
	select {
	case err := <-oc.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

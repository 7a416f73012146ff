package real

import (
	"context"
	"errors"
)

// Upstream: osrg/gobgp#3505. Management calls run on the server's loop:
// each sends an op holding a new reply channel on a buffered queue, in a
// select that also watches the close channel, then waits for the reply.
// Once Serve has returned on close, the send still lands in the free
// slot, nobody takes the op, and the caller waits forever. Fix: wait for
// the reply in a select that also watches the close channel.
type mgmtRequest struct {
	f     func() error
	reply chan error
}

type mgmtServer struct {
	ops     chan *mgmtRequest
	closing chan struct{}
}

func newMgmtServer() *mgmtServer {
	return &mgmtServer{ops: make(chan *mgmtRequest, 1), closing: make(chan struct{})}
}

func (s *mgmtServer) Serve() {
	for {
		select {
		case <-s.closing:
			return
		case op := <-s.ops:
			op.reply <- op.f()
		}
	}
}

func (s *mgmtServer) Stop() { close(s.closing) }

func (s *mgmtServer) do(f func() error) error {
	ch := make(chan error)
	op := &mgmtRequest{f: f, reply: ch}
	select {
	case s.ops <- op:
		return <-ch // want `this waits for the reply to a request sent on field ops of mgmtServer, whose buffer of 1 takes the request even after the loop serving it has returned`
	case <-s.closing:
		return errors.New("stopped")
	}
}

func (s *mgmtServer) doFixed(f func() error) error {
	ch := make(chan error, 1)
	op := &mgmtRequest{f: f, reply: ch}
	select {
	case s.ops <- op:
	case <-s.closing:
		return errors.New("stopped")
	}
	select {
	case err := <-ch:
		return err
	case <-s.closing:
		return errors.New("stopped")
	}
}

// A variant: a plain send on a queue served by a goroutine the
// constructor starts, which stops with its context.
type lookupReq struct {
	key  string
	resp chan string
}

type cacheLoop struct{ reqs chan *lookupReq }

func startCacheLoop(ctx context.Context) *cacheLoop {
	c := &cacheLoop{reqs: make(chan *lookupReq, 16)}
	go func() {
		m := map[string]string{}
		for {
			select {
			case r := <-c.reqs:
				r.resp <- m[r.key]
			case <-ctx.Done():
				return
			}
		}
	}()
	return c
}

func (c *cacheLoop) Get(key string) string {
	resp := make(chan string)
	c.reqs <- &lookupReq{key: key, resp: resp}
	return <-resp // want `request sent on field reqs of cacheLoop, whose buffer of 16 takes the request even after the loop serving it has returned`
}

// Look-alikes that must stay silent: an unbuffered queue (the send
// succeeds only if the loop takes the request), and a loop that drains
// its queue on the way out.
type syncServer struct {
	ops  chan *mgmtRequest
	done chan struct{}
}

func newSyncServer() *syncServer {
	return &syncServer{ops: make(chan *mgmtRequest), done: make(chan struct{})}
}

func (s *syncServer) Serve() {
	for {
		select {
		case <-s.done:
			return
		case op := <-s.ops:
			op.reply <- op.f()
		}
	}
}

func (s *syncServer) Stop() { close(s.done) }

func (s *syncServer) do(f func() error) error {
	ch := make(chan error, 1)
	select {
	case s.ops <- &mgmtRequest{f: f, reply: ch}:
		return <-ch
	case <-s.done:
		return errors.New("stopped")
	}
}

type drainingServer struct {
	ops  chan *mgmtRequest
	done chan struct{}
}

func newDrainingServer() *drainingServer {
	return &drainingServer{ops: make(chan *mgmtRequest, 8), done: make(chan struct{})}
}

func (s *drainingServer) Serve() {
	for {
		select {
		case <-s.done:
			for {
				select {
				case op := <-s.ops:
					op.reply <- errors.New("stopped")
				default:
					return
				}
			}
		case op := <-s.ops:
			op.reply <- op.f()
		}
	}
}

func (s *drainingServer) Stop() { close(s.done) }

func (s *drainingServer) do(f func() error) error {
	ch := make(chan error, 1)
	select {
	case s.ops <- &mgmtRequest{f: f, reply: ch}:
		return <-ch
	case <-s.done:
		return errors.New("stopped")
	}
}

// Package bug is a held-out kernel (issue 14): Conn.Close selects on the
// reply of a close request with a one-second timeout, but building that
// case sends the request into a full sendChan that no sendLoop drains, so
// Close never reaches its select.
//
// Upstream: go-zookeeper/zk#13 ("Deadlock in Conn.Close()")
// Round: 19
//
// Bug: Close closes shouldQuit and then selects between the channel that
// queueRequest(opClose, ...) returns and time.After(time.Second). A select
// evaluates its case expressions before it waits, and queueRequest sends
// close requests on the buffered sendChan unguarded ("always attempt to
// send close ops"). sendLoop, the only receiver, runs only while a session
// is up; when the connection has hung up and the reconnect never
// completes, requests that callers queued before fill sendChan and the
// send in queueRequest blocks for ever, with Close's timeout never armed
// (the issue: "if the call to c.queueRequest blocks, it never makes it to
// the actual select"). Reduced from conn.go; the wire protocol, the xid
// map, watchers and the host provider are left out, dialing and
// authenticating are a callback, and the session's Send returns the reply
// that recvLoop delivers upstream. Get also gives up when shouldQuit is
// closed (as upstream's request path does since #80), in both versions, so
// that a request left in sendChan is not a second leak here.
//
// Fix: PR #14 sends the close request in a select with its own
// time.After(time.Second), and on timeout puts ErrConnectionClosed into
// the request's buffered recvChan so that Close's select returns.
package bug

import (
	"errors"
	"sync"
	"time"
)

const (
	opClose   = -11
	opGetData = 4
)

// ErrConnectionClosed is returned to requests made on a closed Conn.
var ErrConnectionClosed = errors.New("zk: connection closed")

type response struct {
	zxid int64
	err  error
}

type request struct {
	xid      int32
	opcode   int32
	pkt      any
	recvChan chan response
}

// Session is what a successful connect hands back: it sends a request
// and returns the server's reply (the recvLoop's part upstream).
type Session interface {
	Send(rq *request) (zxid int64, err error)
	Close() error
}

// Conn is a client connection to a ZooKeeper ensemble.
type Conn struct {
	mu         sync.Mutex
	lastXid    int32
	dial       func() (Session, error)
	sendChan   chan *request
	shouldQuit chan struct{}
	closeChan  chan struct{}
	logf       func(string, ...any)
}

// Connect starts the connection loop.
func Connect(dial func() (Session, error), logf func(string, ...any)) *Conn {
	c := &Conn{
		dial:       dial,
		sendChan:   make(chan *request, 16),
		shouldQuit: make(chan struct{}),
		logf:       logf,
	}
	go c.loop()
	return c
}

func (c *Conn) loop() {
	for {
		sess, err := c.dial()
		if err == nil {
			c.closeChan = make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.sendLoop(sess, c.closeChan)
			}()
			wg.Wait()
			sess.Close()
		} else {
			c.logf("zk: connect failed: %v", err)
		}
		select {
		case <-c.shouldQuit:
			return
		case <-time.After(time.Second):
		}
	}
}

func (c *Conn) sendLoop(sess Session, closeChan chan struct{}) {
	for {
		select {
		case rq := <-c.sendChan:
			zxid, err := sess.Send(rq)
			rq.recvChan <- response{zxid, err}
			if err != nil {
				return
			}
		case <-closeChan:
			return
		case <-c.shouldQuit:
			return
		}
	}
}

func (c *Conn) nextXid() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastXid++
	return c.lastXid
}

func (c *Conn) queueRequest(opcode int32, req any) <-chan response {
	rq := &request{
		xid:      c.nextXid(),
		opcode:   opcode,
		pkt:      req,
		recvChan: make(chan response, 1),
	}
	switch opcode {
	case opClose:
		// always attempt to send close ops.
		c.sendChan <- rq // heldout:site
	default:
		// avoid deadlocks for callers that do not know the connection is
		// closed yet.
		select {
		case <-c.shouldQuit:
			rq.recvChan <- response{-1, ErrConnectionClosed}
		case c.sendChan <- rq:
		}
	}
	return rq.recvChan
}

// Get reads a node.
func (c *Conn) Get(path string) error {
	select {
	case r := <-c.queueRequest(opGetData, path):
		return r.err
	case <-c.shouldQuit:
		return ErrConnectionClosed
	}
}

// Close ends the session and stops the connection loop.
func (c *Conn) Close() {
	close(c.shouldQuit)
	select {
	case <-c.queueRequest(opClose, struct{}{}): // heldout:site
	case <-time.After(time.Second):
	}
}

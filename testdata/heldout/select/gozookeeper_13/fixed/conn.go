// Package fixed is the fixed version of select/gozookeeper_13: the close
// request's send gives up after a second and answers the request itself.
//
// Upstream: go-zookeeper/zk#13 ("Deadlock in Conn.Close()")
// Round: 19
package fixed

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
		select {
		case c.sendChan <- rq:
		case <-time.After(time.Second):
			c.logf("gave up trying to send opClose to server")
			rq.recvChan <- response{-1, ErrConnectionClosed}
		}
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
	case <-c.queueRequest(opClose, struct{}{}):
	case <-time.After(time.Second):
	}
}

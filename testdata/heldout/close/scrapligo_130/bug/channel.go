// Package bug is a held-out kernel (issue 14): a scrapligo Channel runs a
// read loop that checks a done channel between reads of the transport.
// Close signals it by sending one value on done from a helper goroutine
// and waits a short while for that send; if the loop is stuck in a
// blocking transport read (almost always, for netconf) Close gives up and
// force-closes the transport, and the loop then returns on EOF without
// ever receiving from done. The helper goroutine stays blocked on its send
// for ever, one per closed channel.
//
// Upstream: scrapli/scrapligo#130 ("channel: don't leak go routine on close")
// Round: 18
//
// Bug: the PR: "If the timeout is hit (the <-time.After(c.ReadDelay *
// (c.ReadDelay / readDelayDivisor) branch) then the go routine will block
// forever. This changes the channel send to a close which will not block."
// Reduced from channel/channel.go and channel/read.go: the Channel struct
// with its done channel, queue and Errs channel, Open starting read, the
// read loop and Close with its helper goroutine and timed select; logging,
// authentication, prompt patterns and the queue are reduced.
//
// Fix: the helper goroutine closes done instead of sending on it.
package bug

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"time"
)

const readDelayDivisor = 1_000

// Transport is the underlying ssh/telnet/netconf transport.
type Transport interface {
	Open() error
	Read() ([]byte, error)
	Close(force bool) error
}

// Queue holds bytes read from the transport.
type Queue struct {
	mu  sync.Mutex
	buf [][]byte
}

// Enqueue appends b.
func (q *Queue) Enqueue(b []byte) {
	q.mu.Lock()
	q.buf = append(q.buf, b)
	q.mu.Unlock()
}

// Dequeue pops the oldest bytes, or nil.
func (q *Queue) Dequeue() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.buf) == 0 {
		return nil
	}
	b := q.buf[0]
	q.buf = q.buf[1:]
	return b
}

// Channel sits on top of a Transport and reads it into Q.
type Channel struct {
	t         Transport
	ReadDelay time.Duration

	done chan struct{}

	Q    *Queue
	Errs chan error
}

// NewChannel returns a channel over t.
func NewChannel(t Transport) *Channel {
	return &Channel{
		t:         t,
		ReadDelay: 250 * time.Microsecond,
		done:      make(chan struct{}),
		Q:         &Queue{},
		Errs:      make(chan error),
	}
}

// Open opens the transport and starts the read loop.
func (c *Channel) Open() error {
	if err := c.t.Open(); err != nil {
		return err
	}
	go c.read()
	return nil
}

// Close stops the read loop and closes the transport.
func (c *Channel) Close() error {
	ch := make(chan struct{})

	go func() {
		c.done <- struct{}{} // heldout:site

		close(ch)
	}()

	select {
	case <-ch:
		return c.t.Close(false)
	case <-time.After(c.ReadDelay * (c.ReadDelay / readDelayDivisor)):
		// the read loop did not take the signal in time: force the transport shut
		return c.t.Close(true)
	}
}

func (c *Channel) read() {
	for {
		select {
		case <-c.done:
			return
		default:
		}

		b, err := c.t.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				// transport gone: stop reading
				return // heldout:site
			}
			c.Errs <- err
			time.Sleep(c.ReadDelay)
			continue
		}
		if len(b) == 0 {
			time.Sleep(c.ReadDelay)
			continue
		}
		b = bytes.ReplaceAll(b, []byte("\r"), []byte(""))
		c.Q.Enqueue(b)
		time.Sleep(c.ReadDelay)
	}
}

// Read returns the first available bytes, or a transport error.
func (c *Channel) Read() ([]byte, error) {
	select {
	case err := <-c.Errs:
		return nil, err
	default:
	}
	return c.Q.Dequeue(), nil
}

// Package fixed is the fixed version of close/scrapligo_130: Close's helper
// goroutine closes done, which never blocks, so it ends whether or not the
// read loop is still there to see it. As in upstream's fixed code, the
// read loop still reports a transport error with a plain send on the
// unbuffered Errs channel, which only a later Read receives.
package fixed

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
		close(c.done)

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
				return
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

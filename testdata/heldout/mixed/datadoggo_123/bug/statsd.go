// Package bug is a held-out kernel (issue 14): a StatsD client whose Close
// holds the client mutex while it waits on a WaitGroup for the flush
// goroutine, and the flush goroutine takes the client mutex on each tick.
//
// Upstream: DataDog/datadog-go#123 ("Deadlock in statsd.Client.Close()")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Close locks the client (with a deferred unlock), closes stop and
// calls c.wg.Wait for watch, the goroutine that flushes buffered metrics
// every flushTime. If the ticker fires after Close took the lock but
// before stop was closed, watch blocks in c.Lock, never gets back to its
// select to see stop, and never calls Done, so Close waits for ever with
// the lock held (and every later metric call blocks on the lock too).
//
// Fix (#124, merged as #135): Close closes stop under the lock and waits
// for watch after releasing it, then flushes. That the fix is shaped so is
// our reading of the PR; the buffer and writer are reduced to a byte slice
// and an io.Writer.
package bug

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrNoClient is returned for a nil client.
var ErrNoClient = errors.New("statsd client is nil")

// Client buffers metrics and flushes them periodically.
type Client struct {
	sync.Mutex
	writer    io.Writer
	buffer    []byte
	flushTime time.Duration
	stop      chan struct{}
	wg        sync.WaitGroup
}

// New starts a client flushing to w every flushTime.
func New(w io.Writer, flushTime time.Duration) *Client {
	c := &Client{writer: w, flushTime: flushTime, stop: make(chan struct{})}
	c.wg.Add(1)
	go c.watch()
	return c
}

func (c *Client) watch() {
	ticker := time.NewTicker(c.flushTime)
	for {
		select {
		case <-ticker.C:
			c.Lock() // heldout:site
			_ = c.flushUnsafe()
			c.Unlock()
		case <-c.stop:
			ticker.Stop()
			c.wg.Done()
			return
		}
	}
}

// flushUnsafe writes the buffer; the lock must be held.
func (c *Client) flushUnsafe() error {
	if len(c.buffer) == 0 {
		return nil
	}
	_, err := c.writer.Write(c.buffer)
	c.buffer = c.buffer[:0]
	return err
}

// Gauge records a gauge value.
func (c *Client) Gauge(name string, value float64) error {
	if c == nil {
		return ErrNoClient
	}
	c.Lock()
	defer c.Unlock()
	c.buffer = append(c.buffer, fmt.Sprintf("%s:%g|g\n", name, value)...)
	return nil
}

// Flush writes the buffered metrics now.
func (c *Client) Flush() error {
	if c == nil {
		return ErrNoClient
	}
	c.Lock()
	defer c.Unlock()
	return c.flushUnsafe()
}

// Close stops the flush goroutine and flushes what is left.
func (c *Client) Close() error {
	if c == nil {
		return ErrNoClient
	}
	c.Lock()
	defer c.Unlock()
	select {
	case <-c.stop:
		return nil
	default:
	}
	close(c.stop)
	c.wg.Wait() // heldout:site
	return c.flushUnsafe()
}

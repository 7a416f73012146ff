// Package fixed is the fixed version of mixed/datadoggo_123: Close closes
// stop under the lock but waits for the flush goroutine after releasing it.
package fixed

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
			c.Lock()
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
	select {
	case <-c.stop:
		c.Unlock()
		return nil
	default:
	}
	close(c.stop)
	c.Unlock()

	c.wg.Wait()

	c.Lock()
	defer c.Unlock()
	return c.flushUnsafe()
}

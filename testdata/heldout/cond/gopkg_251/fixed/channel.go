// Package fixed is the fixed version of cond/gopkg_251: Close broadcasts
// while holding bufferLock, Input unlocks before its early return, and
// Input and consume wake the other side before unlocking.
package fixed

import (
	"container/list"
	"sync"
	"sync/atomic"
	"time"
)

const defaultMinSize = 1

type item struct {
	value    interface{}
	deadline time.Time
}

// IsExpired reports whether the item outlived its deadline (zero: never).
func (i item) IsExpired() bool {
	if i.deadline.IsZero() {
		return false
	}
	return time.Now().After(i.deadline)
}

// Option configures a channel.
type Option func(c *channel)

// WithSize bounds the buffer: Input blocks while it is full.
func WithSize(size int) Option {
	return func(c *channel) {
		if size >= defaultMinSize && !c.nonblock {
			c.size = size
		}
	}
}

// WithNonBlock makes Input never block.
func WithNonBlock() Option {
	return func(c *channel) { c.nonblock = true }
}

// WithTimeout drops items not consumed within timeout.
func WithTimeout(timeout time.Duration) Option {
	return func(c *channel) { c.timeout = timeout }
}

// WithTimeoutCallback is called with each dropped item.
func WithTimeoutCallback(cb func(interface{})) Option {
	return func(c *channel) { c.timeoutCallback = cb }
}

// Channel is a buffered channel that never panics on Input after Close.
type Channel interface {
	Input(v interface{})
	Output() <-chan interface{}
	Len() int
	Stats() (produced uint64, consumed uint64)
	Close()
}

type channel struct {
	size            int
	state           int32
	consumer        chan interface{}
	nonblock        bool
	timeout         time.Duration
	timeoutCallback func(interface{})
	produced        uint64
	consumed        uint64
	buffer          *list.List
	bufferCond      *sync.Cond
	bufferLock      sync.Mutex
}

// New returns a channel and starts its consumer goroutine.
func New(opts ...Option) Channel {
	c := new(channel)
	c.size = defaultMinSize
	c.bufferCond = sync.NewCond(&c.bufferLock)
	for _, opt := range opts {
		opt(c)
	}
	c.consumer = make(chan interface{})
	c.buffer = list.New()
	go c.consume()
	return c
}

// Close stops the Input and consume goroutines.
func (c *channel) Close() {
	if !atomic.CompareAndSwapInt32(&c.state, 0, -1) {
		return
	}
	c.bufferLock.Lock()
	defer c.bufferLock.Unlock()
	c.bufferCond.Broadcast()
}

func (c *channel) isClosed() bool {
	return atomic.LoadInt32(&c.state) < 0
}

// Input queues v, blocking while a bounded buffer is full.
func (c *channel) Input(v interface{}) {
	if c.isClosed() {
		return
	}
	it := item{value: v}
	if c.timeout > 0 {
		it.deadline = time.Now().Add(c.timeout)
	}

	c.bufferLock.Lock()
	if !c.nonblock {
		for c.buffer.Len() >= c.size {
			c.bufferCond.Wait()
			if c.isClosed() {
				c.bufferLock.Unlock()
				return
			}
		}
	}
	c.buffer.PushBack(it)
	atomic.AddUint64(&c.produced, 1)
	c.bufferCond.Signal()
	c.bufferLock.Unlock()
}

// Output is the receive side.
func (c *channel) Output() <-chan interface{} {
	return c.consumer
}

// Len is the number of items not yet consumed.
func (c *channel) Len() int {
	p, q := c.Stats()
	return int(p - q)
}

// Stats returns the produced and consumed counts.
func (c *channel) Stats() (uint64, uint64) {
	return atomic.LoadUint64(&c.produced), atomic.LoadUint64(&c.consumed)
}

func (c *channel) consume() {
	for {
		c.bufferLock.Lock()
		for c.buffer.Len() == 0 {
			if c.isClosed() {
				close(c.consumer)
				atomic.StoreInt32(&c.state, -2)
				c.bufferLock.Unlock()
				return
			}
			c.bufferCond.Wait()
		}
		it, ok := c.dequeue()
		c.bufferCond.Broadcast()
		c.bufferLock.Unlock()
		if !ok {
			continue
		}
		if it.IsExpired() {
			if c.timeoutCallback != nil {
				c.timeoutCallback(it.value)
			}
			atomic.AddUint64(&c.consumed, 1)
			continue
		}
		c.consumer <- it.value
		atomic.AddUint64(&c.consumed, 1)
	}
}

func (c *channel) dequeue() (item, bool) {
	front := c.buffer.Front()
	if front == nil {
		return item{}, false
	}
	c.buffer.Remove(front)
	return front.Value.(item), true
}

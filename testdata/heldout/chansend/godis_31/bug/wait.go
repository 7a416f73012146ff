// Package bug is a held-out kernel (issue 14): a WaitGroup wrapper with a
// timed wait whose helper goroutine reports completion on an unbuffered
// channel; when the wait times out nothing receives, and the helper
// blocks on its send for ever once the group finally drains.
//
// Upstream: HDT3213/godis#31 ("fix: goroutine leak in Wait")
// Round: 7
//
// Bug: Wait.WaitWithTimeout starts a goroutine that waits on the inner
// sync.WaitGroup and then sends true on c, made without a buffer, and
// selects on c and on time.After(timeout). When the timer wins the
// method returns; the goroutine's c <- true then has no receiver. The
// PR's reproduction (Add(1), WaitWithTimeout, then Done) shows the
// goroutine count growing by one per call. The connection type that
// waits for its in-flight replies before closing is our reduction of
// godis's client connection.
//
// Fix: c gets a buffer of one.
package bug

import (
	"net"
	"sync"
	"time"
)

// Wait is like sync.WaitGroup, with a timed wait.
type Wait struct {
	wg sync.WaitGroup
}

// Add adds delta to the counter.
func (w *Wait) Add(delta int) {
	w.wg.Add(delta)
}

// Done decrements the counter.
func (w *Wait) Done() {
	w.wg.Done()
}

// Wait waits for the counter to reach zero.
func (w *Wait) Wait() {
	w.wg.Wait()
}

// WaitWithTimeout waits for the counter to reach zero or for timeout to
// pass; it reports whether it timed out.
func (w *Wait) WaitWithTimeout(timeout time.Duration) bool {
	c := make(chan bool)
	go func() {
		defer close(c)
		w.wg.Wait()
		c <- true // heldout:site
	}()
	select {
	case <-c:
		return false
	case <-time.After(timeout): // heldout:site
		return true
	}
}

// Connection is a client connection that finishes its replies before
// closing.
type Connection struct {
	conn         net.Conn
	waitingReply Wait
	mu           sync.Mutex
}

// Write sends a reply, counting it as in flight.
func (c *Connection) Write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	c.waitingReply.Add(1)
	defer c.waitingReply.Done()
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := c.conn.Write(b)
	return err
}

// Close waits up to ten seconds for in-flight replies, then closes.
func (c *Connection) Close() error {
	c.waitingReply.WaitWithTimeout(10 * time.Second)
	return c.conn.Close()
}

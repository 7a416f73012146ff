// Package fixed is the fixed version of chansend/godis_31: the
// completion channel has room for the helper's one send.
package fixed

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
	c := make(chan bool, 1)
	go func() {
		defer close(c)
		w.wg.Wait()
		c <- true
	}()
	select {
	case <-c:
		return false
	case <-time.After(timeout):
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

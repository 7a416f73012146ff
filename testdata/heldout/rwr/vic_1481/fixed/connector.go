// Package fixed is the fixed version of rwr/vic_1481: the waiter
// goroutine read-locks once before its loop and releases it with one
// deferred RUnlock; Get's timeout wake-up is broadcast under the write
// lock, so it cannot fall between the waiter's check and its Wait.
package fixed

import (
	"context"
	"errors"
	"sync"
	"time"
)

// SessionInteraction is an attached session.
type SessionInteraction interface {
	Close() error
}

type session struct{ id string }

func (s *session) Close() error { return nil }

// Connection is a container's attach channel.
type Connection struct {
	spty SessionInteraction
	id   string
}

// Connector keeps the attach connections by container ID.
type Connector struct {
	mutex       sync.RWMutex
	cond        *sync.Cond
	connections map[string]*Connection
}

// NewConnector makes a connector.
func NewConnector() *Connector {
	c := &Connector{connections: make(map[string]*Connection)}
	c.cond = sync.NewCond(c.mutex.RLocker())
	return c
}

// Get returns the connection for id, waiting up to timeout for it.
func (c *Connector) Get(ctx context.Context, id string, timeout time.Duration) (SessionInteraction, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	c.mutex.RLock()
	conn := c.connections[id]
	c.mutex.RUnlock()
	if conn != nil {
		return conn.spty, nil
	} else if timeout == 0 {
		return nil, errors.New("no such connection")
	}

	result := make(chan *Connection, 1)

	go func() {
		ok := false
		var conn *Connection

		c.mutex.RLock()
		defer c.mutex.RUnlock()

		for !ok && ctx.Err() == nil {
			conn, ok = c.connections[id]
			if ok {
				result <- conn
				return
			}

			// block until cond is updated
			c.cond.Wait()
		}
	}()

	select {
	case client := <-result:
		return client.spty, nil
	case <-ctx.Done():
		// wake up the result gofunc before returning
		c.mutex.Lock()
		c.cond.Broadcast()
		c.mutex.Unlock()
		return nil, ctx.Err()
	}
}

// Remove drops the connection for id.
func (c *Connector) Remove(id string) {
	c.mutex.Lock()
	defer c.mutex.Unlock()
	if conn := c.connections[id]; conn != nil {
		conn.spty.Close()
		delete(c.connections, id)
	}
}

// processIncoming stashes a newly attached container's connection.
func (c *Connector) processIncoming(id string) {
	c.mutex.Lock()
	c.connections[id] = &Connection{spty: &session{id: id}, id: id}
	c.cond.Broadcast()
	c.mutex.Unlock()
}

// Run waits for one container while two attach.
func Run() {
	c := NewConnector()
	go func() {
		c.processIncoming("other")
		c.processIncoming("abc")
	}()
	c.Get(context.Background(), "abc", time.Second)
	c.Remove("abc")
}

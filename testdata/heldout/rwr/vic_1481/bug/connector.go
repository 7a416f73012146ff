// Package bug is a held-out kernel (issue 14): a recursive read lock in
// VIC's attach Connector.Get. Its waiter goroutine read-locks the
// connector inside its retry loop with a deferred RUnlock, so the unlock
// only runs when the goroutine exits; the Cond it waits on uses the
// connector's RLocker, so after the first wake-up the goroutine holds one
// read lock and takes another on the next iteration. A new connection's
// processIncoming, queued for the write lock in between, waits for that
// reader, and the reader's second RLock waits behind the writer.
//
// Upstream: vmware/vic#1481 ("Fix deadlock in connector.Get")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "This corrects an incorrect placement of RLock/RUnlock
// paired with a cond.Wait. Paired with the Go fairness behaviour this
// causes deadlock if a Writer attempts to acquire the lock if we do not
// succeed in locating a connection on the first iteration." Connector
// (mutex, cond on mutex.RLocker(), connections), Get with its result
// channel and waiter goroutine, Remove and processIncoming follow
// lib/portlayer/attach/connector.go; the listener, serial handshake and
// SSH session are our reduction to an ID handed to processIncoming.
//
// Fix: the waiter read-locks once before its loop and unlocks with one
// deferred RUnlock. The kernel's fixed version also broadcasts the
// timeout wake-up under the write lock (upstream broadcast it with no
// lock held, which can be lost while the waiter sits between its check
// and Wait); that part is ours.
package bug

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

		for !ok && ctx.Err() == nil {
			c.mutex.RLock()         // heldout:site
			defer c.mutex.RUnlock() // heldout:site

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
		c.cond.Broadcast()
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
	c.mutex.Lock() // heldout:site
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

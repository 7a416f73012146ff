// Package fixed is the fixed version of lockorder/goelasticsearch_603:
// OnSuccess takes the pool lock before the connection lock.
package fixed

import (
	"errors"
	"math"
	"net/url"
	"sync"
	"time"
)

var (
	defaultResurrectTimeoutInitial      = 60 * time.Second
	defaultResurrectTimeoutFactorCutoff = 5
)

// Connection represents a connection to a node.
type Connection struct {
	sync.Mutex

	URL       *url.URL
	IsDead    bool
	DeadSince time.Time
	Failures  int
}

// Selector picks one of the live connections.
type Selector interface {
	Select([]*Connection) (*Connection, error)
}

type statusConnectionPool struct {
	sync.Mutex

	live     []*Connection
	dead     []*Connection
	selector Selector
}

type roundRobinSelector struct {
	sync.Mutex
	curr int
}

func (s *roundRobinSelector) Select(conns []*Connection) (*Connection, error) {
	s.Lock()
	defer s.Unlock()
	s.curr = (s.curr + 1) % len(conns)
	return conns[s.curr], nil
}

// NewConnectionPool returns a pool of conns.
func NewConnectionPool(conns []*Connection) *statusConnectionPool {
	return &statusConnectionPool{live: conns, selector: &roundRobinSelector{curr: -1}}
}

// Next returns a live connection, or resurrects a dead one.
func (cp *statusConnectionPool) Next() (*Connection, error) {
	cp.Lock()
	defer cp.Unlock()

	if len(cp.live) > 0 {
		return cp.selector.Select(cp.live)
	} else if len(cp.dead) > 0 {
		c := cp.dead[len(cp.dead)-1]
		cp.dead = cp.dead[:len(cp.dead)-1]
		c.Lock()
		defer c.Unlock()
		cp.resurrect(c, false)
		return c, nil
	}
	return nil, errors.New("no connection available")
}

// OnSuccess marks the connection as successful.
func (cp *statusConnectionPool) OnSuccess(c *Connection) error {
	c.Lock()
	if !c.IsDead {
		c.Unlock()
		return nil
	}
	c.Unlock()

	cp.Lock()
	defer cp.Unlock()

	c.Lock()
	defer c.Unlock()

	c.markAsHealthy()
	return cp.resurrect(c, true)
}

// OnFailure marks the connection as failed.
func (cp *statusConnectionPool) OnFailure(c *Connection) error {
	cp.Lock()
	defer cp.Unlock()

	c.Lock()

	if c.IsDead {
		c.Unlock()
		return nil
	}

	c.markAsDead()
	cp.scheduleResurrect(c)
	c.Unlock()

	cp.dead = append(cp.dead, c)

	index := -1
	for i, conn := range cp.live {
		if conn == c {
			index = i
		}
	}
	if index < 0 {
		return errors.New("connection not in live list")
	}
	copy(cp.live[index:], cp.live[index+1:])
	cp.live = cp.live[:len(cp.live)-1]
	return nil
}

// resurrect moves c back to the live list; the caller holds both locks.
func (cp *statusConnectionPool) resurrect(c *Connection, removeDead bool) error {
	c.markAsLive()

	cp.live = append(cp.live, c)
	if removeDead {
		index := -1
		for i, conn := range cp.dead {
			if conn == c {
				index = i
			}
		}
		if index >= 0 {
			copy(cp.dead[index:], cp.dead[index+1:])
			cp.dead = cp.dead[:len(cp.dead)-1]
		}
	}
	return nil
}

// scheduleResurrect resurrects c after a backoff.
func (cp *statusConnectionPool) scheduleResurrect(c *Connection) {
	factor := math.Min(float64(c.Failures-1), float64(defaultResurrectTimeoutFactorCutoff))
	timeout := time.Duration(defaultResurrectTimeoutInitial.Seconds() * math.Exp2(factor) * float64(time.Second))

	time.AfterFunc(timeout, func() {
		cp.Lock()
		defer cp.Unlock()

		c.Lock()
		defer c.Unlock()

		if !c.IsDead {
			return
		}
		cp.resurrect(c, true)
	})
}

func (c *Connection) markAsDead() {
	c.IsDead = true
	if c.DeadSince.IsZero() {
		c.DeadSince = time.Now().UTC()
	}
	c.Failures++
}

func (c *Connection) markAsLive() { c.IsDead = false }

func (c *Connection) markAsHealthy() {
	c.IsDead = false
	c.DeadSince = time.Time{}
	c.Failures = 0
}

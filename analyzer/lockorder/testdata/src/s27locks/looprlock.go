package s27locks

import "sync"

// A waiter read-locks inside its retry loop and defers the RUnlock: each
// iteration keeps one more read lock until the function returns, and a
// writer in between blocks the next RLock forever.
type connector struct {
	mu    sync.RWMutex
	cond  *sync.Cond
	conns map[string]int
}

func newConnector() *connector {
	c := &connector{conns: map[string]int{}}
	c.cond = sync.NewCond(c.mu.RLocker())
	return c
}

func (c *connector) wait(id string, stop func() bool) int {
	for !stop() {
		c.mu.RLock() // want `c.mu is read-locked in a loop whose RUnlock is deferred to the function's return: the next iteration read-locks it again while this goroutine still holds the previous read lock`
		defer c.mu.RUnlock()
		if n, ok := c.conns[id]; ok {
			return n
		}
		c.cond.Wait()
	}
	return 0
}

func (c *connector) add(id string, n int) {
	c.mu.Lock()
	c.conns[id] = n
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Look-alike: the read lock taken once, before the loop.
func (c *connector) waitOnce(id string, stop func() bool) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for !stop() {
		if n, ok := c.conns[id]; ok {
			return n
		}
		c.cond.Wait()
	}
	return 0
}

// Look-alike: each iteration releases its read lock itself.
func (c *connector) poll(ids []string) int {
	n := 0
	for _, id := range ids {
		c.mu.RLock()
		n += c.conns[id]
		c.mu.RUnlock()
	}
	return n
}

// Look-alike: a deferred RUnlock in a loop of a mutex nothing write-locks.
type snapshot struct {
	mu   sync.RWMutex
	vals []int
}

func (s *snapshot) sum(k int) int {
	n := 0
	for i := 0; i < k; i++ {
		s.mu.RLock()
		defer s.mu.RUnlock()
		n += s.vals[i]
	}
	return n
}

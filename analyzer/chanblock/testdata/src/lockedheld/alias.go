package lockedheld

import (
	"context"
	"log"
	"sync"
	"time"
)

// ConfigMapLock keeps its stop channel in a field and hands the same
// channel to the refresher through a local variable that the started
// literal captures. Unlock holds c.mu and sends on the unbuffered c.done;
// the refresher has taken its ticker case and waits for c.mu, so it never
// receives and Unlock never releases c.mu (variant of
// portworx/sched-ops#359; ctx is the caller's and need not end).
type ConfigMapLock struct {
	mu    sync.Mutex
	owner string
	done  chan struct{}
	every time.Duration
	data  map[string]string
}

// Lock takes the lock for id.
func (c *ConfigMapLock) Lock(ctx context.Context, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.owner = id
	done := make(chan struct{})
	c.done = done
	go func() {
		c.refreshLoop(ctx, id, done)
	}()
}

// Unlock releases the lock and stops the refresher.
func (c *ConfigMapLock) Unlock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		log.Printf("stopping refresher of %s", c.owner)
		c.done <- struct{}{} // want `this send on field done holds mutex field mu`
		c.done = nil
	}
	c.owner = ""
}

func (c *ConfigMapLock) refreshLoop(ctx context.Context, id string, done <-chan struct{}) {
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			if c.owner == id {
				c.data["expiry"] = time.Now().String()
			}
			c.mu.Unlock()
		case <-done:
			return
		}
	}
}

// FixedConfigMapLock is ConfigMapLock with the fix: Unlock closes done,
// which never waits. Silent.
type FixedConfigMapLock struct {
	mu    sync.Mutex
	owner string
	done  chan struct{}
	data  map[string]string
}

// Lock takes the lock for id.
func (c *FixedConfigMapLock) Lock(ctx context.Context, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.owner = id
	done := make(chan struct{})
	c.done = done
	go func() {
		c.refreshLoop(ctx, id, done)
	}()
}

// Unlock releases the lock and stops the refresher.
func (c *FixedConfigMapLock) Unlock() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		close(c.done)
		c.done = nil
	}
	c.owner = ""
}

func (c *FixedConfigMapLock) refreshLoop(ctx context.Context, id string, done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			c.data["expiry"] = id
			c.mu.Unlock()
		case <-done:
			return
		}
	}
}

// SharedStop hands the local to the refresher and also to a callback of
// another package's choosing: someone else may receive from it, so the
// sender's wait is not known to depend on the refresher. Silent.
type SharedStop struct {
	mu    sync.Mutex
	done  chan struct{}
	data  map[string]string
	watch func(<-chan struct{})
}

// Start starts the refresher.
func (s *SharedStop) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := make(chan struct{})
	s.done = done
	s.watch(done)
	go func() {
		s.loop(done)
	}()
}

// Stop stops the refresher.
func (s *SharedStop) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done <- struct{}{}
}

func (s *SharedStop) loop(done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.mu.Lock()
			s.data["t"] = time.Now().String()
			s.mu.Unlock()
		case <-done:
			return
		}
	}
}

// UnlockedStop sends after releasing the lock: the refresher can take the
// lock and come back to receive. Silent.
type UnlockedStop struct {
	mu   sync.Mutex
	done chan struct{}
	data map[string]string
}

// Start starts the refresher.
func (s *UnlockedStop) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	done := make(chan struct{})
	s.done = done
	go func() {
		s.loop(done)
	}()
}

// Stop stops the refresher.
func (s *UnlockedStop) Stop() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	done <- struct{}{}
}

func (s *UnlockedStop) loop(done <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.mu.Lock()
			s.data["t"] = time.Now().String()
			s.mu.Unlock()
		case <-done:
			return
		}
	}
}

// Package fixed is the fixed version of rwr/chainlinkcommon_1337: the typed
// getters rely on Get's read lock instead of taking their own.
package fixed

import (
	"context"
	"fmt"
	"sync"
)

// BaseCapability is any registered capability.
type BaseCapability interface {
	ID() string
}

// TriggerCapability emits events.
type TriggerCapability interface {
	BaseCapability
	RegisterTrigger(ctx context.Context, workflowID string) (<-chan []byte, error)
}

// ExecutableCapability runs requests.
type ExecutableCapability interface {
	BaseCapability
	Execute(ctx context.Context, req []byte) ([]byte, error)
}

// Registry holds the node's capabilities.
type Registry struct {
	mu sync.RWMutex
	m  map[string]BaseCapability
}

// Get returns the capability with the given ID.
func (r *Registry) Get(_ context.Context, id string) (BaseCapability, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.m[id]
	if !ok {
		return nil, fmt.Errorf("capability not found with id %s", id)
	}
	return c, nil
}

// GetTrigger returns the trigger capability with the given ID.
func (r *Registry) GetTrigger(ctx context.Context, id string) (TriggerCapability, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	t, ok := c.(TriggerCapability)
	if !ok {
		return nil, fmt.Errorf("capability %s is not a trigger", id)
	}
	return t, nil
}

// GetExecutable returns the executable capability with the given ID.
func (r *Registry) GetExecutable(ctx context.Context, id string) (ExecutableCapability, error) {
	c, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	e, ok := c.(ExecutableCapability)
	if !ok {
		return nil, fmt.Errorf("capability %s is not executable", id)
	}
	return e, nil
}

// Add registers a capability.
func (r *Registry) Add(_ context.Context, c BaseCapability) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.m[c.ID()]; ok {
		return fmt.Errorf("capability with id %s already exists", c.ID())
	}
	r.m[c.ID()] = c
	return nil
}

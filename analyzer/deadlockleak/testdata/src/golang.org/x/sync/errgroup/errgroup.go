// Package errgroup is a stub of golang.org/x/sync/errgroup for the
// analyzer's testdata: only the signatures matter.
package errgroup

import "context"

// A Group is a collection of goroutines working on one task.
type Group struct{}

// Go runs f in a new goroutine counted by the group.
func (g *Group) Go(f func() error) {}

// Wait blocks until every function started with Go has returned.
func (g *Group) Wait() error { return nil }

// WithContext returns a new Group and a context canceled when a function
// of the group fails or Wait returns.
func WithContext(ctx context.Context) (*Group, context.Context) { return &Group{}, ctx }

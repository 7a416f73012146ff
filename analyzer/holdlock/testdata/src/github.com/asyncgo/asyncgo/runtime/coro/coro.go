// Package coro is a stand-in for asyncgo's runtime/coro with the agreed
// names, for the analyzers' tests.
package coro

// Co is a generator's handle.
type Co[Y, S any] struct{}

// Yield suspends the generator.
func (co *Co[Y, S]) Yield(y Y) S { var s S; return s }

// YieldErr suspends the generator.
func (co *Co[Y, S]) YieldErr(y Y) (S, error) { var s S; return s, nil }

// Generator is a generator object.
type Generator[Y, S, R any] struct{}

// Next resumes the generator.
func (g *Generator[Y, S, R]) Next() (Y, error) { var y Y; return y, nil }

// New builds a generator.
func New[Y, S, R any](fn func(co *Co[Y, S]) R) *Generator[Y, S, R] { return &Generator[Y, S, R]{} }

// YieldFrom delegates to sub.
func YieldFrom[Y, S, R, R2 any](co *Co[Y, S], sub *Generator[Y, S, R2]) R2 { var r R2; return r }

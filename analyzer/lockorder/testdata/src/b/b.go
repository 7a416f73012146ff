// Package b is a dependency whose lock summaries reach package a as facts.
package b

import "sync"

// Store guards its map with mu.
type Store struct {
	mu sync.Mutex
	m  map[string]int
}

// Get locks s.mu.
func (s *Store) Get(k string) int { // want Get:`^acquires \{p0\}\.mu$`
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

// Lock locks the store (a lock helper: still held on return).
func (s *Store) Lock() { s.mu.Lock() } // want Lock:`^acquires \{p0\}\.mu, holds \{p0\}\.mu$`

// Unlock unlocks the store.
func (s *Store) Unlock() { s.mu.Unlock() } // want Unlock:`^releases \{p0\}\.mu$`

// Mu is a package-level mutex.
var Mu sync.Mutex

// WithMu runs f under Mu.
func WithMu(f func()) { // want WithMu:`^acquires \{g:b\.Mu\}, calls \{p0\} holding \[\{g:b\.Mu\}\]$`
	Mu.Lock()
	defer Mu.Unlock()
	f()
}

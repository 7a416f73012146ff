// Package p locks a mutex it already holds: asyncgo's lockorder reports it.
package p

import "sync"

var mu sync.Mutex

// Twice deadlocks.
func Twice() {
	mu.Lock()
	mu.Lock()
	mu.Unlock()
}

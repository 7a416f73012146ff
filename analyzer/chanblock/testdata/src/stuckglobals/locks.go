// Package stuckglobals holds locks and WaitGroups kept in package
// variables, shared by a channel's goroutines: the checker follows them
// when no other user in the package can change what it finds (chanmodel's
// globals.go). Session 26, globals.
package stuckglobals

import (
	"strings"
	"sync"
)

var (
	cacheMu sync.Mutex
	cache   = map[string]int{}
)

// Lookup is another user of cacheMu: it takes and releases it itself.
func Lookup(k string) (int, bool) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	v, ok := cache[k]
	return v, ok
}

// Refresh holds cacheMu while it waits for the loader goroutine, which
// needs cacheMu to store what it loaded.
func Refresh(keys []string, load func(string) int) {
	done := make(chan struct{})
	cacheMu.Lock()
	defer cacheMu.Unlock()
	go func() {
		for _, k := range keys {
			v := load(k)
			cacheMu.Lock()
			cache[k] = v
			cacheMu.Unlock()
		}
		close(done)
	}()
	<-done // want `this receive can block forever: the goroutine running Refresh's function literal is blocked at cacheMu.Lock`
}

// RefreshFixed waits for the loader before it locks.
func RefreshFixed(keys []string, load func(string) int) {
	done := make(chan struct{})
	go func() {
		for _, k := range keys {
			v := load(k)
			cacheMu.Lock()
			cache[k] = v
			cacheMu.Unlock()
		}
		close(done)
	}()
	<-done
	cacheMu.Lock()
	defer cacheMu.Unlock()
	cache["refreshed"] = len(keys)
}

// A lock in a field of a package variable: the same.
var registry struct {
	mu    sync.RWMutex
	names []string
}

func Names() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return append([]string(nil), registry.names...)
}

// Register holds registry.mu while the validator goroutine, which reads
// the registry, reports back.
func Register(name string) error {
	errc := make(chan error)
	registry.mu.Lock()
	defer registry.mu.Unlock()
	go func() {
		registry.mu.RLock()
		defer registry.mu.RUnlock()
		for _, n := range registry.names {
			if strings.EqualFold(n, name) {
				errc <- errDup
				return
			}
		}
		errc <- nil
	}()
	if err := <-errc; err != nil { // want `this receive can block forever`
		return err
	}
	registry.names = append(registry.names, name)
	return nil
}

type dupError struct{}

func (dupError) Error() string { return "duplicate" }

var errDup error = dupError{}

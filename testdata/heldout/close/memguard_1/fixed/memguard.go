// Package fixed is the fixed version of close/memguard_1: Cleanup closes
// isExiting, waking every locker, and keeps no count.
//
// Upstream: awnumar/memguard#1 ("Close the exit channel instead of sending")
// Round: 19
package fixed

import (
	"os"
	"sync"
)

var (
	isExiting = make(chan bool)
	lockers   sync.WaitGroup

	// Lock and Unlock pin and unpin memory (mlock/munlock upstream).
	Lock   = func(b []byte) {}
	Unlock = func(b []byte) {}
)

// Protect locks b in memory until Cleanup or SafeExit, which wipe it.
func Protect(b []byte) {
	Lock(b)

	lockers.Add(1)
	go func(b []byte) {
		defer lockers.Done()
		<-isExiting
		Wipe(b)
		Unlock(b)
	}(b)
}

// Wipe overwrites b with zeroes.
func Wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Cleanup wipes and unlocks every protected buffer.
func Cleanup() {
	close(isExiting)
	lockers.Wait()
}

// SafeExit cleans up and exits with code.
func SafeExit(code int) {
	Cleanup()
	os.Exit(code)
}

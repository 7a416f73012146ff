// Package bug is a held-out kernel (issue 14): Cleanup tells each locker
// goroutine to wipe its memory by sending one value per locker on
// isExiting, counted by lockersCount, which is never decremented, so a
// second Cleanup (SafeExit after Cleanup) sends to lockers that have all
// returned and blocks for ever.
//
// Upstream: awnumar/memguard#1 ("Close the exit channel instead of sending")
// Round: 19
//
// Bug: Protect locks a buffer in memory and starts a goroutine that waits
// on the shared isExiting channel and then wipes and unlocks the buffer;
// it counts the goroutines in lockersCount. Cleanup sends lockersCount
// values on isExiting, one per locker, and waits for them. The PR:
// "isExiting can already only be called a single time anyway (or it'll
// block, since the lockersCount is never decremented)" - every later
// Cleanup, SafeExit after Cleanup included, blocks on its first send, as
// no locker is left to receive. Reduced from the memguard of April 2017
// as the PR describes it: the code is our reduction from that description
// (the fields and the send loop it names); mlock and the wiping are
// callbacks, and Cleanup's wait for the lockers is a WaitGroup (the PR
// says Cleanup waits for the goroutines).
//
// Fix: the PR closes isExiting instead of sending on it, which wakes
// every locker at once and needs no count.
package bug

import (
	"os"
	"sync"
)

var (
	isExiting    = make(chan bool)
	lockersCount int
	lockersMutex sync.Mutex
	lockers      sync.WaitGroup

	// Lock and Unlock pin and unpin memory (mlock/munlock upstream).
	Lock   = func(b []byte) {}
	Unlock = func(b []byte) {}
)

// Protect locks b in memory until Cleanup or SafeExit, which wipe it.
func Protect(b []byte) {
	Lock(b)

	lockersMutex.Lock()
	lockersCount++
	lockersMutex.Unlock()

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
	lockersMutex.Lock()
	n := lockersCount
	lockersMutex.Unlock()
	for i := 0; i < n; i++ {
		isExiting <- true // heldout:site
	}
	lockers.Wait()
}

// SafeExit cleans up and exits with code.
func SafeExit(code int) {
	Cleanup()
	os.Exit(code)
}

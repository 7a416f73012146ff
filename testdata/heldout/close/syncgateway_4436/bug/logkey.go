// Package bug is a held-out kernel (issue 14): a stop signal sent as one
// value to several goroutines: one receives it, the others wait forever.
//
// Upstream: couchbase/sync_gateway#4436 ("Fix leaked goroutines in TestLogKeyConcurrency"; the upstream code is a test, reduced here to the same non-test shape)
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: three goroutines toggle log keys until they receive from stop; the
// caller stops them with one send, which only one of them receives, and
// waits for all three: two goroutines leak and the wait never ends.
//
// Fix: the caller closes stop, which every receiver sees.
package bug

import (
	"sync"
	"sync/atomic"
)

// LogKeyMask is the set of enabled log keys.
type LogKeyMask uint64

// Set turns on the keys.
func (m *LogKeyMask) Set(keys LogKeyMask) {
	for {
		old := atomic.LoadUint64((*uint64)(m))
		if atomic.CompareAndSwapUint64((*uint64)(m), old, old|uint64(keys)) {
			return
		}
	}
}

// Enabled reports whether the keys are on.
func (m *LogKeyMask) Enabled(keys LogKeyMask) bool {
	return atomic.LoadUint64((*uint64)(m))&uint64(keys) != 0
}

// exerciseLogKeys runs three goroutines on mask until it stops them.
func exerciseLogKeys(mask *LogKeyMask, rounds int) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(key LogKeyMask) {
			defer wg.Done()
			for {
				select {
				case <-stop: // heldout:site
					return
				default:
					mask.Set(key)
					mask.Enabled(key)
				}
			}
		}(LogKeyMask(1) << i)
	}
	for i := 0; i < rounds; i++ {
		mask.Enabled(1)
	}
	stop <- struct{}{} // heldout:site
	wg.Wait()          // heldout:site
}

// Package fixed is the fixed version of close/syncgateway_4436: closing
// stop reaches every goroutine.
package fixed

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
				case <-stop:
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
	close(stop)
	wg.Wait()
}

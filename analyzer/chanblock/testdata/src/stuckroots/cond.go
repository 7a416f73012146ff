package stuckroots

import "sync"

// A write lock taken only when asked for, held across the Wait, while
// the readers it waits for take the read lock.
func snapshot(exclusive bool, keys []string, read func(string) int) int {
	var mu sync.RWMutex
	var wg sync.WaitGroup
	sum := 0
	if exclusive {
		mu.Lock()
	}
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.RLock()
			_ = read(k)
			mu.RUnlock()
		}()
	}
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running snapshot's function literal is blocked at mu.RLock \(cond.go:\d+\) without calling Done`
	if exclusive {
		mu.Unlock()
	}
	return sum
}

// Fixed: the conditional lock is released before the goroutines start.
func snapshotFixed(exclusive bool, keys []string, read func(string) int) int {
	var mu sync.RWMutex
	var wg sync.WaitGroup
	sum := 0
	if exclusive {
		mu.Lock()
		sum = -1
		mu.Unlock()
	}
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.RLock()
			_ = read(k)
			mu.RUnlock()
		}()
	}
	wg.Wait()
	return sum
}

// Look-alike: the lock held across the Wait only when asked for, and
// released the same way; the goroutines never take it.
func conditionalHold(hold bool, xs []int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	if hold {
		mu.Lock()
	}
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = x
		}()
	}
	wg.Wait()
	if hold {
		mu.Unlock()
	}
}

package stuckroots

import "sync"

func compute(i int) int { return i * 2 }

// A mutex per round used as a latch: the second Lock waits for the
// goroutine's Unlock, and the next round locks a new mutex. Taken for one
// object, the next round's first Lock would wait on the last round's.
func latchPerRound() int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	for i := 0; i < 3; i++ {
		var ready sync.Mutex
		ready.Lock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			sum += compute(i)
			mu.Unlock()
			ready.Unlock()
		}()
		ready.Lock()
	}
	wg.Wait()
	return sum
}

// The same latch made with new, beside a channel the rounds share.
func latchNewPerRound() int {
	out := make(chan int)
	sum := 0
	for i := 0; i < 3; i++ {
		ready := new(sync.Mutex)
		ready.Lock()
		go func() {
			ready.Unlock()
			out <- compute(i)
		}()
		ready.Lock()
		sum += <-out
	}
	return sum
}

// A WaitGroup per round whose Wait one round skips: the next round's
// group is new, so the skipped count blocks nobody.
func groupPerRound() int {
	out := make(chan int, 1)
	sum := 0
	for i := 0; i < 3; i++ {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- compute(i)
		}()
		sum += <-out
		if i == 1 {
			continue
		}
		wg.Wait()
	}
	return sum
}

// Within one round the latch still blocks: the goroutine returns early
// in one round without unlocking, and that round's second Lock waits
// forever.
func latchSkipped() int {
	sum := 0
	for i := 0; i < 3; i++ {
		var ready sync.Mutex
		ready.Lock()
		go func() {
			if i == 1 {
				return
			}
			sum += compute(i)
			ready.Unlock()
		}()
		ready.Lock() // want `this ready.Lock can block forever`
	}
	return sum
}

// Package stuckselect holds kernels of selects the checker follows
// (session 23, selclose): polling loops, a select with a default in a
// loop whose only way out is a case nothing makes ready any more.
package stuckselect

import (
	"sync"
	"sync/atomic"
	"time"
)

func work() {}

func ready() bool { return time.Now().Unix()%2 == 0 }

// pollSkipsClose: on the failing path the stop channel is never closed,
// so the poller spins at its default for ever and wg.Wait never ends: the
// wait is where the program hangs, and is the report.
func pollSkipsClose(fail bool) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				work()
			}
		}
	}()
	if fail {
		wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running pollSkipsClose's function literal spins at its select's default`
		return
	}
	close(done)
	wg.Wait()
}

// pollLeaks: nobody waits for the poller, and the early return skips the
// close: the poller spins for ever (a leak), reported at its select.
func pollLeaks(fail bool) {
	done := make(chan struct{})
	go func() {
		for {
			select { // want `this select can spin forever \(it has a default, and its loop ends only by a case nothing can make ready any more\)`
			case <-done:
				return
			default:
				work()
			}
		}
	}()
	if fail {
		return
	}
	close(done)
}

// pollClosed: closed on every path before the wait: not reported.
func pollClosed(fail bool) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				work()
			}
		}
	}()
	if fail {
		work()
	}
	close(done)
	wg.Wait()
}

// pollDeferClose: a deferred close, and no wait: the poller ends once
// the maker returns; not reported.
func pollDeferClose() {
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				work()
			}
		}
	}()
	work()
}

// pollOwnExit: the default has its own way out (a test the model cannot
// decide): not a pure poll; not reported.
func pollOwnExit(fail bool) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				if ready() {
					return
				}
			}
		}
	}()
	if !fail {
		close(done)
	}
	wg.Wait()
}

// pollBreaks: a break out of the loop from the default: not reported.
func pollBreaks(fail bool) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
	loop:
		for {
			select {
			case <-done:
				return
			default:
				if ready() {
					break loop
				}
			}
		}
	}()
	if !fail {
		close(done)
	}
	wg.Wait()
}

// pollTimeout: another case, a timer, ends the loop: not reported.
func pollTimeout(fail bool) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
				return
			default:
				work()
			}
		}
	}()
	if !fail {
		close(done)
	}
	wg.Wait()
}

// pollRecovers: a deferred recover: a panic in the default's call is a
// way out; not reported.
func pollRecovers(fail bool, flags *uint64) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { _ = recover() }()
		for {
			select {
			case <-done:
				return
			default:
				atomic.AddUint64(flags, 1)
			}
		}
	}()
	if !fail {
		close(done)
	}
	wg.Wait()
}

// pollFlag: the default stores to a shared flag the maker may read: the
// store is quiet for the model, and the close on every path ends it; not
// reported.
func pollFlag(flag *int32) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
				atomic.StoreInt32(flag, 1)
			}
		}
	}()
	for atomic.LoadInt32(flag) == 0 {
		work()
	}
	close(done)
	wg.Wait()
}

// pollForever: the loop has no way out at all, not even by its case on
// done (it spins for the program's life by design): not reported.
func pollForever() {
	done := make(chan struct{})
	go func() {
		for {
			work()
			select {
			case <-done:
			default:
			}
		}
	}()
	work()
}

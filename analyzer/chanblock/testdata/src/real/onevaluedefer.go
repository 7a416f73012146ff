package real

import (
	"sync"
	"sync/atomic"
)

// One stop value for several waiters that each defer a wg.Done: the defer
// (which cannot recover) does not give them another way out.

// Upstream: couchbase/sync_gateway#4436 (a test ran three goroutines that
// toggled log keys until they received from stop, then stopped them with
// one send and waited for all three: one received, two leaked and the
// wait never ended). Fix: close(stop). Reduced in our own words.
func churnFlags(flags *uint64, rounds int) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(bit uint64) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					atomic.OrUint64(flags, bit)
				}
			}
		}(1 << i)
	}
	for i := 0; i < rounds; i++ {
		_ = atomic.LoadUint64(flags)
	}
	stop <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it and can return only after receiving from this channel`
	wg.Wait()
}

func churnFlagsFixed(flags *uint64, rounds int) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(bit uint64) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					atomic.OrUint64(flags, bit)
				}
			}
		}(1 << i)
	}
	for i := 0; i < rounds; i++ {
		_ = atomic.LoadUint64(flags)
	}
	close(stop)
	wg.Wait()
}

// A variant written differently (ours): two different function literals,
// each deferring a call of this package that does not recover, blocked in
// a plain receive.
var pairDone atomic.Int32

func notePairDone(who string) { pairDone.Add(int32(len(who))) }

func runPair() {
	quit := make(chan bool)
	go func() {
		defer notePairDone("reader")
		<-quit
	}()
	go func() {
		defer notePairDone("writer")
		<-quit
	}()
	quit <- true // want `one value is sent on this channel, but 2 or more goroutines wait for it`
}

// Look-alike negative (ours): each worker defers a function that
// recovers, so a panic gives it another way out; not reported.
func churnRecovering(flags *uint64) {
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func(bit uint64) {
			defer func() { _ = recover() }()
			for {
				select {
				case <-stop:
					return
				default:
					atomic.OrUint64(flags, bit)
				}
			}
		}(1 << i)
	}
	stop <- struct{}{}
}

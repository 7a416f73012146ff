package stuckroots

import "sync"

func spin() bool { return len(pool) > 0 }

var pool []int

// Look-alikes: as many goroutines as added, by a range over an int
// (go/ssa guards the loop with 0 < n: the bound's count decides it); each
// goroutine spins a long constant loop before its deferred Done; by a
// range over the slice whose length was added.
func rangeIntWorkers(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go func() {
			defer wg.Done()
			for range 100000 {
				spin()
			}
		}()
	}
	wg.Wait()
}

func rangeIntPlain(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go func() {
			defer wg.Done()
		}()
	}
	wg.Wait()
}

func rangeSlice(xs []int) {
	var wg sync.WaitGroup
	wg.Add(len(xs))
	for _, x := range xs {
		go func() {
			defer wg.Done()
			_ = x
		}()
	}
	wg.Wait()
}

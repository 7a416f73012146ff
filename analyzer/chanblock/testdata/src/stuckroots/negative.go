package stuckroots

import (
	"sync"
	"time"
)

// Look-alikes the checker must leave silent.

// Every goroutine calls Done, by defer, before the Wait can return.
func allDone(xs []int) {
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		go func(x int) {
			defer wg.Done()
			if x < 0 {
				return
			}
			use(x)
		}(x)
	}
	wg.Wait()
}

// A counted loop of three adds and starts.
func threeWorkers(work func(int)) {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(i)
		}()
	}
	wg.Wait()
}

// The Wait in a goroutine of its own, the adds after it started.
func waitInGoroutine(xs []int, report func()) {
	wg := &sync.WaitGroup{}
	go func() {
		wg.Wait()
		report()
	}()
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			use(x)
		}()
	}
}

// Readiness fan-in: each worker calls Done once set up and goes on
// serving; the caller waits for all of them, then proceeds.
func readyWorkers(n int, in chan int) {
	var ready sync.WaitGroup
	for i := 0; i < n; i++ {
		ready.Add(1)
		go func() {
			buf := make([]int, 0, 8)
			ready.Done()
			for v := range in {
				buf = append(buf, v)
			}
			_ = buf
		}()
	}
	ready.Wait()
	in <- 1
}

// First to reach the target: every worker still calls Done.
func firstFound(xs []int, target int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	found := -1
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if x != target {
				return
			}
			mu.Lock()
			if found < 0 {
				found = i
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return found
}

// Done in a loop the model does not count, against a count it cannot
// match: the group is not followed.
func countedDown() {
	var wg sync.WaitGroup
	wg.Add(1000)
	go func() {
		for i := 0; i < 1000; i++ {
			wg.Done()
		}
	}()
	wg.Wait()
}

// A conditional Done inside for {}: not followed either.
func doneInForever(step func() bool) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for {
			if step() {
				wg.Done()
				return
			}
		}
	}()
	wg.Wait()
}

// A ticker's range never ends: its Done is in the select inside it.
func tickerDone(stop <-chan struct{}, work func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		t := time.NewTicker(time.Millisecond)
		for range t.C {
			select {
			case <-stop:
				wg.Done()
				return
			default:
			}
			work()
		}
	}()
	wg.Wait()
}

// One WaitGroup per batch (a new one each round of the outer loop).
func batches(bs [][]int) {
	for _, b := range bs {
		var wg sync.WaitGroup
		for _, x := range b {
			wg.Add(1)
			go func() {
				defer wg.Done()
				use(x)
			}()
		}
		wg.Wait()
	}
}

// The lock is held across the Wait, but the workers never take it.
func lockNotNeeded(xs []int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := make([]int, len(xs))
	mu.Lock()
	defer mu.Unlock()
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = x * 2
		}()
	}
	wg.Wait()
	return len(out)
}

type doner interface{ Done() }

func finish(d doner) { d.Done() }

// The WaitGroup handed on as an interface: not followed.
func viaInterface() {
	var wg sync.WaitGroup
	wg.Add(1)
	go finish(&wg)
	wg.Wait()
}

// The pointer stored in another struct: not followed.
type task struct {
	wg *sync.WaitGroup
	f  func()
}

func (t task) run() {
	t.f()
	t.wg.Done()
}

func viaStruct(fs []func()) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Add(1)
		go task{wg: &wg, f: f}.run()
	}
	wg.Wait()
}

// Shadowing: the inner wg is another group, waited for inside.
func shadowed(xs []int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var wg sync.WaitGroup
		for _, x := range xs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				use(x)
			}()
		}
		wg.Wait()
	}()
	wg.Wait()
}

// A lock released on every path, early return included, then waited on
// by a helper called twice.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc(limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= limit {
		return false
	}
	c.n++
	return true
}

func incTwice() int {
	c := &counter{}
	c.inc(1)
	_ = c.inc(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// A loop left by break after starting its goroutine, one add each.
func untilFull(xs []int, full func() bool) {
	var wg sync.WaitGroup
	for _, x := range xs {
		if full() {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = x
		}()
	}
	wg.Wait()
}

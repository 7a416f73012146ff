package stuckroots

import (
	"errors"
	"sync"
)

func use(int) {}

// The caller holds mu across the Wait, and every goroutine it waits for
// needs mu before its Done.
func sumLocked(xs []int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += x
			mu.Unlock()
		}()
	}
	mu.Lock()
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running sumLocked's function literal is blocked at mu.Lock \(wait.go:\d+\) without calling Done`
	mu.Unlock()
	return total
}

// Fixed: the lock is taken after the Wait.
func sumLockedFixed(xs []int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += x
			mu.Unlock()
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return total
}

// The same through a local struct's fields and a method with the
// pointer: the worker is a named method.
type tally struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	total int
}

func (t *tally) add(x int) {
	t.mu.Lock()
	t.total += x
	t.mu.Unlock()
	t.wg.Done()
}

func tallyAll(xs []int) int {
	t := &tally{}
	t.wg.Add(len(xs))
	for _, x := range xs {
		go t.add(x)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; add is blocked at t.mu.Lock \(wait.go:\d+\) without calling Done`
	return t.total
}

// Fixed: the method defers its Done and the caller locks after waiting.
func tallyAllFixed(xs []int) int {
	t := &tally{}
	t.wg.Add(len(xs))
	for _, x := range xs {
		go t.add(x)
	}
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// Two added, one started: the counter never reaches zero.
func twoForOne(a, b func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a()
		b()
	}()
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running twoForOne's function literal returns \(wait.go:\d+\) without calling Done`
}

// Fixed: one added per goroutine.
func twoForTwo(a, b func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a()
	}()
	go func() {
		defer wg.Done()
		b()
	}()
	wg.Wait()
}

type job struct {
	skip bool
	run  func()
}

// Added for every job, started only for those not skipped.
func runJobs(jobs []job) {
	var wg sync.WaitGroup
	wg.Add(len(jobs)) // want `wg.Add counts one per item of the loop that follows, but an iteration can skip its item`
	for _, j := range jobs {
		if j.skip {
			continue
		}
		go func() {
			defer wg.Done()
			j.run()
		}()
	}
	wg.Wait()
}

// Fixed: the add is made per started job.
func runJobsFixed(jobs []job) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.skip {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.run()
		}()
	}
	wg.Wait()
}

// The Wait is deferred; an error return comes before the goroutine that
// calls Done is started.
func serveOnce(start func() error, handle func()) error {
	var wg sync.WaitGroup
	wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return \(which runs the deferred wg.Wait\)`
	defer wg.Wait()
	if err := start(); err != nil {
		return err
	}
	go func() {
		defer wg.Done()
		handle()
	}()
	return nil
}

// Fixed: the goroutine starts before anything can fail.
func serveOnceFixed(start func() error, handle func()) error {
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Wait()
	go func() {
		defer wg.Done()
		handle()
	}()
	return start()
}

// The waiter is a goroutine: it holds the lock until the loaders are
// done, and a loader that fails returns before its Done (a pointer
// made by new; the caller's readers lock mu later).
func preload(names []string, load func(string) (int, error)) map[string]int {
	var mu sync.RWMutex
	got := map[string]int{}
	wg := new(sync.WaitGroup)
	mu.Lock()
	wg.Add(len(names))
	go func() {
		wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running preload's function literal returns \(wait.go:\d+\) without calling Done`
		mu.Unlock()
	}()
	for _, n := range names {
		go func() {
			v, err := load(n)
			if err != nil {
				return
			}
			got[n] = v
			wg.Done()
		}()
	}
	return got
}

// Fixed: every loader defers its Done.
func preloadFixed(names []string, load func(string) (int, error)) map[string]int {
	var mu sync.RWMutex
	got := map[string]int{}
	wg := new(sync.WaitGroup)
	mu.Lock()
	wg.Add(len(names))
	go func() {
		wg.Wait()
		mu.Unlock()
	}()
	for _, n := range names {
		go func() {
			defer wg.Done()
			v, err := load(n)
			if err != nil {
				return
			}
			got[n] = v
		}()
	}
	return got
}

var errNegative = errors.New("negative")

// A lock taken again by a helper while its caller holds it, on an error
// path; the object is a local struct reached through a pointer.
type registry struct {
	mu    sync.Mutex
	items map[string]int
}

func (r *registry) drop(k string) {
	r.mu.Lock() // want `this r.mu.Lock can block forever: this goroutine already holds r.mu`
	delete(r.items, k)
	r.mu.Unlock()
}

func (r *registry) put(k string, v int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v < 0 {
		r.drop(k)
		return errNegative
	}
	r.items[k] = v
	return nil
}

func fillRegistry(kv map[string]int) error {
	r := &registry{items: map[string]int{}}
	for k, v := range kv {
		if err := r.put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Fixed: the helper expects the lock held.
func (r *registry) dropLocked(k string) { delete(r.items, k) }

func (r *registry) putFixed(k string, v int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v < 0 {
		r.dropLocked(k)
		return errNegative
	}
	r.items[k] = v
	return nil
}

func fillRegistryFixed(kv map[string]int) error {
	r := &registry{items: map[string]int{}}
	for k, v := range kv {
		if err := r.putFixed(k, v); err != nil {
			return err
		}
	}
	return nil
}

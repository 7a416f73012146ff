package stucksync

import "sync"

// The waiter holds the lock the worker needs while it waits for the
// worker: the worker cannot take the lock to finish, so Done never runs.
// Captured objects, explicit Unlock.
func waitUnderLock() int {
	ch := make(chan int, 1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		ch <- 1
		mu.Unlock()
	}()
	mu.Lock()
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running waitUnderLock's function literal is blocked at mu.Lock \(wg.go:\d+\) without calling Done`
	mu.Unlock()
	return <-ch
}

// Fixed: unlock before the wait.
func waitUnderLockFixed() int {
	ch := make(chan int, 1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		ch <- 1
		mu.Unlock()
	}()
	mu.Lock()
	mu.Unlock()
	wg.Wait()
	return <-ch
}

// The objects in fields of a local struct, methods, a deferred Unlock.
type service struct {
	mu sync.Mutex
	wg sync.WaitGroup
	n  int
}

func (s *service) work(out chan<- int) {
	defer s.wg.Done()
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	out <- s.n
}

func serviceStop() int {
	out := make(chan int, 1)
	s := &service{}
	s.wg.Add(1)
	go s.work(out)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; work is blocked at s.mu.Lock \(wg.go:\d+\) without calling Done`
	return len(out)
}

func (s *service) workFixed(out chan<- int) {
	defer s.wg.Done()
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
	out <- s.n
}

func serviceStopFixed() int {
	out := make(chan int, 1)
	s := &service{}
	s.wg.Add(1)
	go s.workFixed(out)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(out)
}

// The worker offers its value in a select with a default, under the
// lock; the group form of the WaitGroup.
func groupWaitUnderLock() int {
	ch := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Go(func() {
		mu.Lock()
		defer mu.Unlock()
		select {
		case ch <- 1:
		default:
		}
	})
	mu.Lock()
	defer mu.Unlock()
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running groupWaitUnderLock's function literal is blocked at mu.Lock`
	return 0
}

func groupWaitUnderLockFixed() int {
	ch := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Go(func() {
		mu.Lock()
		defer mu.Unlock()
		select {
		case ch <- 1:
		default:
		}
	})
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return 0
}

// Not modelled: the WaitGroup goes to a function outside the model,
// which may call Done; the Wait returns, as before.
func handOff(wg *sync.WaitGroup) { wg.Done() }

func escapedGroup() int {
	ch := make(chan int, 1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	go handOff(&wg)
	go func() {
		defer wg.Done()
		mu.Lock()
		ch <- 1
		mu.Unlock()
	}()
	mu.Lock()
	mu.Unlock()
	wg.Wait()
	return <-ch
}

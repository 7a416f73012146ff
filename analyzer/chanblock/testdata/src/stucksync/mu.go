package stucksync

import "sync"

// The worker sends while it holds the lock; the receiver takes the same
// lock before it receives. If the worker locks first, each waits for the
// other. Explicit Unlock, captured mutex.
func lockedSend() int {
	ch := make(chan int)
	var mu sync.Mutex
	n := 0
	go func() {
		mu.Lock()
		n++
		ch <- n // want `this send can block forever: lockedSend is blocked at mu.Lock \(mu.go:\d+\) and nothing else receives`
		mu.Unlock()
	}()
	mu.Lock()
	n++
	mu.Unlock()
	return <-ch
}

// Fixed: the worker unlocks before it sends.
func lockedSendFixed() int {
	ch := make(chan int)
	var mu sync.Mutex
	n := 0
	go func() {
		mu.Lock()
		n++
		v := n
		mu.Unlock()
		ch <- v
	}()
	mu.Lock()
	n++
	mu.Unlock()
	return <-ch
}

// The lock in a field of a local struct and a deferred Unlock in a
// method: the same.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) report(out chan<- int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	out <- c.n // want `this send can block forever: lockedReport is blocked at mu.Lock \(mu.go:\d+\) and nothing else receives`
}

func lockedReport() int {
	out := make(chan int)
	c := &counter{}
	go c.report(out)
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return <-out
}

func (c *counter) reportFixed(out chan<- int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	out <- c.n
}

// Fixed: room for the value, so the send does not wait under the lock.
func lockedReportFixed() int {
	out := make(chan int, 1)
	c := &counter{}
	go c.reportFixed(out)
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return <-out
}

// A reader holds the read lock while it sends; the writer's Lock waits
// for it before the receive.
func readLockedSend() int {
	ch := make(chan int)
	var mu sync.RWMutex
	m := map[int]int{}
	go func() {
		mu.RLock()
		ch <- m[0] // want `this send can block forever: readLockedSend is blocked at mu.Lock \(mu.go:\d+\) and nothing else receives`
		mu.RUnlock()
	}()
	mu.Lock()
	m[0] = 1
	mu.Unlock()
	return <-ch
}

// Fixed: the other side only reads, and read locks share.
func readLockedSendFixed() int {
	ch := make(chan int)
	var mu sync.RWMutex
	m := map[int]int{}
	go func() {
		mu.RLock()
		ch <- m[0]
		mu.RUnlock()
	}()
	mu.RLock()
	_ = m[0]
	mu.RUnlock()
	return <-ch
}

// A goroutine returns on an error with the lock held; the receiver that
// takes the lock after its receive waits forever. Select on the result.
func lockLeft(work func() error) int {
	res := make(chan int, 1)
	var mu sync.Mutex
	go func() {
		mu.Lock()
		if err := work(); err != nil {
			return
		}
		mu.Unlock()
		res <- 1
	}()
	select {
	case v := <-res:
		return v
	default:
	}
	mu.Lock() // want `this mu.Lock can block forever: the goroutine running lockLeft's function literal holds mu and returns \(mu.go:\d+\) without unlocking mu`
	defer mu.Unlock()
	return 0
}

func lockLeftFixed(work func() error) int {
	res := make(chan int, 1)
	var mu sync.Mutex
	go func() {
		mu.Lock()
		defer mu.Unlock()
		if err := work(); err != nil {
			return
		}
		res <- 1
	}()
	select {
	case v := <-res:
		return v
	default:
	}
	mu.Lock()
	defer mu.Unlock()
	return 0
}

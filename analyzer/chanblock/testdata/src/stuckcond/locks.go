package stuckcond

import "sync"

// The caller waits on the Cond while it still holds state, which the
// worker needs before it can wake it: Wait releases only the Cond's L.
func waitHoldingState() int {
	out := make(chan int, 1)
	var state, mu sync.Mutex
	c := sync.NewCond(&mu)
	state.Lock()
	mu.Lock()
	go func() {
		state.Lock()
		out <- 1
		state.Unlock()
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits; the goroutine running waitHoldingState's function literal is blocked at state.Lock`
	mu.Unlock()
	state.Unlock()
	return <-out
}

// Fixed: state is released before the wait.
func waitHoldingStateFixed() int {
	out := make(chan int, 1)
	var state, mu sync.Mutex
	c := sync.NewCond(&mu)
	state.Lock()
	mu.Lock()
	state.Unlock()
	go func() {
		state.Lock()
		out <- 1
		state.Unlock()
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait()
	mu.Unlock()
	return <-out
}

// A queue whose Cond is a field of a local value, its L set once; each
// waiter reports that it holds the lock before it waits, so the caller's
// Lock succeeds only once both are inside Wait. One Signal for two
// waiters leaves one asleep.
type gate struct {
	mu   sync.Mutex
	cond sync.Cond
}

func (g *gate) enter(arrived chan<- int, id int) {
	g.mu.Lock()
	arrived <- id
	g.cond.Wait() // want `this cond.Wait can block forever: no Signal or Broadcast comes once it waits`
	g.mu.Unlock()
}

func oneSignalTwoWaiters() {
	arrived := make(chan int, 2)
	g := &gate{}
	g.cond.L = &g.mu
	for i := 0; i < 2; i++ {
		go g.enter(arrived, i)
	}
	<-arrived
	<-arrived
	g.mu.Lock()
	g.cond.Signal()
	g.mu.Unlock()
}

// Fixed: Broadcast wakes both; they take the lock in turn.
func (g *gate) enterAll(arrived chan<- int, id int) {
	g.mu.Lock()
	arrived <- id
	g.cond.Wait()
	g.mu.Unlock()
}

func broadcastTwoWaiters() {
	arrived := make(chan int, 2)
	g := &gate{}
	g.cond.L = &g.mu
	for i := 0; i < 2; i++ {
		go g.enterAll(arrived, i)
	}
	<-arrived
	<-arrived
	g.mu.Lock()
	g.cond.Broadcast()
	g.mu.Unlock()
}

// Fixed the other way: a Signal per waiter, each under the lock.
func (g *gate) enterEach(arrived chan<- int, id int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	arrived <- id
	g.cond.Wait()
}

func signalEach() {
	arrived := make(chan int, 2)
	g := &gate{}
	g.cond.L = &g.mu
	for i := 0; i < 2; i++ {
		go g.enterEach(arrived, i)
	}
	for i := 0; i < 2; i++ {
		<-arrived
	}
	for i := 0; i < 2; i++ {
		g.mu.Lock()
		g.cond.Signal()
		g.mu.Unlock()
	}
}

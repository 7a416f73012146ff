package stuckroots

import "sync"

// Models rooted at a Cond's lock (no channel): the worker's Signal,
// made without the lock, can come before the caller is inside Wait.
func startThenWait(run func()) {
	c := sync.NewCond(&sync.Mutex{})
	c.L.Lock()
	go func() {
		run()
		c.Signal()
	}()
	c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	c.L.Unlock()
}

// Fixed: the Signal under the lock the caller holds until it waits.
func startThenWaitFixed(run func()) {
	c := sync.NewCond(&sync.Mutex{})
	c.L.Lock()
	go func() {
		run()
		c.L.Lock()
		c.Signal()
		c.L.Unlock()
	}()
	c.Wait()
	c.L.Unlock()
}

// A predicate loop on a flag set without the lock: the flag and the
// Signal can both land between the test and the Wait.
func flagThenWait(run func()) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		run()
		done = true
		c.Broadcast()
	}()
	mu.Lock()
	for !done {
		c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	}
	mu.Unlock()
}

// Fixed: the flag set under the lock; the loop then sees it or is woken.
func flagThenWaitFixed(run func()) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		run()
		mu.Lock()
		done = true
		mu.Unlock()
		c.Broadcast()
	}()
	mu.Lock()
	for !done {
		c.Wait()
	}
	mu.Unlock()
}

// The caller waits holding a second lock the worker needs before it can
// wake it: Wait releases only the Cond's own.
func waitHolding(run func()) {
	var state, mu sync.Mutex
	c := sync.NewCond(&mu)
	state.Lock()
	mu.Lock()
	go func() {
		state.Lock()
		run()
		state.Unlock()
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait() // want `this c.Wait can block forever`
	mu.Unlock()
	state.Unlock()
}

// Look-alike: a predicate the model does not know (a call's result): the
// Cond is given up, nothing reported.
func unknownPredicate(ready func() bool) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	go func() {
		mu.Lock()
		c.Broadcast()
		mu.Unlock()
	}()
	mu.Lock()
	for !ready() {
		c.Wait()
	}
	mu.Unlock()
}

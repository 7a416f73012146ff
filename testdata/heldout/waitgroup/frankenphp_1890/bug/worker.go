// Package bug is a held-out kernel (issue 14): a drain loop that adds one
// to the WaitGroup per thread but skips a thread without the matching
// Done.
//
// Upstream: php/frankenphp#1890 ("fix: added missing decrement for the \"ready\" WaitGroup counter")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: drainWorkerThreads (run on a worker restart, e.g. when watched
// files change) adds len(worker.threads) to ready, then for each thread
// asks for a safe change to the restarting state. A thread that is
// already shutting down refuses, and the loop continues without starting
// the goroutine that calls ready.Done(); ready.Wait() then blocks the
// restart forever. The thread state machine is reduced to what the
// function uses.
//
// Fix: the continue branch calls ready.Done() first.
package bug

import "sync"

type stateID int

const (
	stateReady stateID = iota
	stateRestarting
	stateYielding
	stateShuttingDown
	stateDone
)

type threadState struct {
	mu           sync.Mutex
	currentState stateID
	subscribers  map[stateID][]chan struct{}
}

// requestSafeStateChange moves to nextState unless the thread is on its
// way out.
func (ts *threadState) requestSafeStateChange(nextState stateID) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	switch ts.currentState {
	case stateShuttingDown, stateDone:
		return false
	}
	ts.currentState = nextState
	ts.notifyLocked()
	return true
}

func (ts *threadState) set(s stateID) {
	ts.mu.Lock()
	ts.currentState = s
	ts.notifyLocked()
	ts.mu.Unlock()
}

func (ts *threadState) notifyLocked() {
	for _, ch := range ts.subscribers[ts.currentState] {
		close(ch)
	}
	delete(ts.subscribers, ts.currentState)
}

// waitFor blocks until the thread reaches state s.
func (ts *threadState) waitFor(s stateID) {
	ts.mu.Lock()
	if ts.currentState == s {
		ts.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	if ts.subscribers == nil {
		ts.subscribers = make(map[stateID][]chan struct{})
	}
	ts.subscribers[s] = append(ts.subscribers[s], ch)
	ts.mu.Unlock()
	<-ch
}

type phpThread struct {
	threadIndex int
	drainChan   chan struct{}
	state       *threadState
}

type worker struct {
	fileName    string
	threads     []*phpThread
	threadMutex sync.RWMutex
}

var workers []*worker

func drainWorkerThreads() []*phpThread {
	ready := sync.WaitGroup{}
	drainedThreads := make([]*phpThread, 0)
	for _, worker := range workers {
		worker.threadMutex.RLock()
		ready.Add(len(worker.threads))
		for _, thread := range worker.threads {
			if !thread.state.requestSafeStateChange(stateRestarting) {
				// no state change allowed == thread is shutting down;
				// restart the other threads anyway
				continue // heldout:site
			}
			close(thread.drainChan)
			drainedThreads = append(drainedThreads, thread)
			go func(thread *phpThread) {
				thread.state.waitFor(stateYielding)
				ready.Done()
			}(thread)
		}
		worker.threadMutex.RUnlock()
	}
	ready.Wait() // heldout:site
	return drainedThreads
}

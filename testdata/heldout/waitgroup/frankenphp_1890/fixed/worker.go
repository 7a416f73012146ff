// Package fixed is the fixed version of waitgroup/frankenphp_1890: a
// skipped thread still counts down ready.
package fixed

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
				ready.Done()
				continue
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
	ready.Wait()
	return drainedThreads
}

// Package fixed is the fixed version of cond/temporalsdkgo_2462: Stop
// marks the session token bucket stopped and broadcasts, so a poller
// parked waiting for a token wakes, sees the stop and exits.
package fixed

import (
	"sync"
	"time"
)

type sessionTokenBucket struct {
	*sync.Cond
	availableToken int
	stopped        bool
}

func newSessionTokenBucket(maxConcurrentSessionExecutionSize int) *sessionTokenBucket {
	return &sessionTokenBucket{
		Cond:           sync.NewCond(&sync.Mutex{}),
		availableToken: maxConcurrentSessionExecutionSize,
	}
}

// waitForAvailableToken waits for a token and reports false once the
// bucket has been stopped.
func (t *sessionTokenBucket) waitForAvailableToken() bool {
	t.L.Lock()
	defer t.L.Unlock()
	for t.availableToken == 0 && !t.stopped {
		t.Wait()
	}
	return !t.stopped
}

// stop wakes every poller waiting for a token.
func (t *sessionTokenBucket) stop() {
	t.L.Lock()
	t.stopped = true
	t.L.Unlock()
	t.Broadcast()
}

func (t *sessionTokenBucket) addToken() {
	t.L.Lock()
	t.availableToken++
	t.L.Unlock()
	t.Signal()
}

func (t *sessionTokenBucket) getToken() bool {
	t.L.Lock()
	defer t.L.Unlock()
	if t.availableToken == 0 {
		return false
	}
	t.availableToken--
	return true
}

type baseWorker struct {
	stopCh             chan struct{}
	stopWG             sync.WaitGroup
	stopTimeout        time.Duration
	sessionTokenBucket *sessionTokenBucket
	poll               func() (task int, ok bool)
	process            func(task int)
}

func (bw *baseWorker) isStopped() bool {
	select {
	case <-bw.stopCh:
		return true
	default:
		return false
	}
}

func (bw *baseWorker) runPoller() {
	defer bw.stopWG.Done()
	for !bw.isStopped() {
		if bw.sessionTokenBucket != nil && !bw.sessionTokenBucket.waitForAvailableToken() {
			return
		}
		if task, ok := bw.poll(); ok {
			if bw.sessionTokenBucket != nil && !bw.sessionTokenBucket.getToken() {
				continue
			}
			bw.process(task)
		}
	}
}

// Start starts the session creation poller.
func (bw *baseWorker) Start() {
	bw.stopWG.Add(1)
	go bw.runPoller()
}

// Stop stops the worker and waits up to stopTimeout for the pollers.
func (bw *baseWorker) Stop() bool {
	close(bw.stopCh)
	if bw.sessionTokenBucket != nil {
		bw.sessionTokenBucket.stop()
	}
	return awaitWaitGroup(&bw.stopWG, bw.stopTimeout)
}

// awaitWaitGroup waits for wg, giving up after timeout.
func awaitWaitGroup(wg *sync.WaitGroup, timeout time.Duration) bool {
	doneC := make(chan struct{})
	go func() {
		wg.Wait()
		close(doneC)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-doneC:
		return true
	case <-timer.C:
		return false
	}
}

// Run stops a session worker whose only session slot is taken.
func Run() {
	bucket := newSessionTokenBucket(1)
	bucket.getToken() // the one running session
	bw := &baseWorker{
		stopCh:             make(chan struct{}),
		stopTimeout:        time.Second,
		sessionTokenBucket: bucket,
		poll:               func() (int, bool) { return 1, true },
		process:            func(int) { bucket.addToken() },
	}
	bw.Start()
	bw.Stop()
}

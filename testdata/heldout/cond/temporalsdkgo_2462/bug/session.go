// Package bug is a held-out kernel (issue 14): the Temporal Go SDK's
// session worker leaks its session-creation poller on Stop. At
// MaxConcurrentSessionExecutionSize the poller waits on the session token
// bucket's sync.Cond for a token, and only a finishing session signals
// it. Stop closes the worker's stop channel, which the parked poller
// never looks at, so the poller stays in Cond.Wait for ever and Stop's
// bounded wait for the pollers times out.
//
// Upstream: temporalio/sdk-go#2462 ("fix: honor worker stop while a session poller waits for a token")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR (fixing issue #2461): "The creation poller reserves a slot
// and then waits for a free session token before polling. That wait is a
// sync.Cond with no stop awareness"; "The Cond is only signalled when a
// session finishes (addToken). At capacity availableToken is 0, so the
// poller parks in t.Wait()." sessionTokenBucket, waitForAvailableToken,
// addToken, getToken, the poller loop, Stop and awaitWaitGroup follow
// internal/session.go and internal/internal_worker_base.go; the poll
// itself is our reduction to a callback.
//
// Fix: our reading of the PR: Stop marks the bucket stopped and
// broadcasts, and waitForAvailableToken returns (reporting false) once
// the bucket is stopped, so the poller sees the stop and exits.
package bug

import (
	"sync"
	"time"
)

type sessionTokenBucket struct {
	*sync.Cond
	availableToken int
}

func newSessionTokenBucket(maxConcurrentSessionExecutionSize int) *sessionTokenBucket {
	return &sessionTokenBucket{
		Cond:           sync.NewCond(&sync.Mutex{}),
		availableToken: maxConcurrentSessionExecutionSize,
	}
}

func (t *sessionTokenBucket) waitForAvailableToken() {
	t.L.Lock()
	defer t.L.Unlock()
	for t.availableToken == 0 {
		t.Wait() // heldout:site
	}
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
		if bw.sessionTokenBucket != nil {
			bw.sessionTokenBucket.waitForAvailableToken()
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
	close(bw.stopCh) // heldout:site
	return awaitWaitGroup(&bw.stopWG, bw.stopTimeout)
}

// awaitWaitGroup waits for wg, giving up after timeout.
func awaitWaitGroup(wg *sync.WaitGroup, timeout time.Duration) bool {
	doneC := make(chan struct{})
	go func() {
		wg.Wait() // heldout:site
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

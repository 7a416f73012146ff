package real

import (
	"errors"
	"sync"
)

// Upstream: kubernetes/kubernetes#28158
//
// Bug: a controller runs a reflector (the producer) and a processing loop
// (the consumer) as goroutines and returns when its stop channel closes.
// The loop pops from a queue whose Pop waits on a Cond while the queue is
// empty; only adding an item broadcasts. Closing the stop channel stops
// the reflector, so the processing goroutine, which never looks at the
// stop channel, sleeps in Pop's Wait forever.
// Fix: the queue gets a closed flag that Pop's wait loop tests; Close sets
// it and broadcasts, the controller closes the queue on stop, and the loop
// returns on the closed error.

type changeQueue struct {
	mu    sync.Mutex
	cond  sync.Cond
	order []string
}

func newChangeQueue() *changeQueue {
	q := &changeQueue{}
	q.cond.L = &q.mu
	return q
}

func (q *changeQueue) push(key string) {
	q.mu.Lock()
	q.order = append(q.order, key)
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *changeQueue) pop() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.order) == 0 {
		q.cond.Wait() // want `Wait on cond in pop ends only when new data comes into order: a function literal in runController, started by runController \(line 61\), calls pop \(line 63\) and never returns, while runController returns once its stop signal arrives \(line 66\)`
	}
	k := q.order[0]
	q.order = q.order[1:]
	return k
}

func runController(q *changeQueue, events <-chan string, stop <-chan struct{}) {
	go func() {
		for {
			select {
			case <-stop:
				return
			case e := <-events:
				q.push(e)
			}
		}
	}()
	go func() {
		for {
			q.pop()
		}
	}()
	<-stop
}

// The fix: a closed queue ends the wait for good.

var errQueueClosed = errors.New("queue closed")

type closableQueue struct {
	mu     sync.Mutex
	cond   sync.Cond
	order  []string
	closed bool
}

func newClosableQueue() *closableQueue {
	q := &closableQueue{}
	q.cond.L = &q.mu
	return q
}

func (q *closableQueue) push(key string) {
	q.mu.Lock()
	q.order = append(q.order, key)
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *closableQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (q *closableQueue) pop() (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.order) == 0 {
		if q.closed {
			return "", errQueueClosed
		}
		q.cond.Wait()
	}
	k := q.order[0]
	q.order = q.order[1:]
	return k, nil
}

func runControllerFixed(q *closableQueue, events <-chan string, stop <-chan struct{}) {
	go func() {
		for {
			select {
			case <-stop:
				return
			case e := <-events:
				q.push(e)
			}
		}
	}()
	go func() {
		for {
			if _, err := q.pop(); err != nil {
				return
			}
		}
	}()
	<-stop
	q.close()
}

package real

import (
	"context"
	"sync"
)

// Upstream: erigontech/erigon#21827
//
// Bug: EventChannel.waitForEvent ran an inner goroutine that waited on
// queueCond until an event was queued or its context ended (testing
// ctx.Err() under queueMutex before each Wait); an outer goroutine
// received from ctx.Done() and called queueCond.Signal() without holding
// queueMutex. The Signal could fire after the inner goroutine's test and
// before its Wait, and was lost: the inner goroutine blocked forever (a
// test timed out after an hour in CI).
// Fix: take queueMutex around the Signal.

type eventChannel struct {
	queueMutex sync.Mutex
	queueCond  *sync.Cond
	events     []int
}

func newEventChannel() *eventChannel {
	ec := &eventChannel{}
	ec.queueCond = sync.NewCond(&ec.queueMutex)
	return ec
}

func (ec *eventChannel) waitForEvent(ctx context.Context) bool {
	done := make(chan bool, 1)
	go func() {
		ec.queueMutex.Lock()
		defer ec.queueMutex.Unlock()
		for len(ec.events) == 0 && ctx.Err() == nil {
			ec.queueCond.Wait()
		}
		done <- len(ec.events) > 0
	}()
	go func() {
		<-ctx.Done()
		ec.queueCond.Signal() // want `lost wake-up: Signal of queueCond without its lock, after a function literal in waitForEvent saw the context canceled \(line 42\) also without it: a goroutine in a function literal in waitForEvent that has tested its context under the lock \(line 36\) but not yet called Wait \(line 37\)`
	}()
	return <-done
}

func (ec *eventChannel) push(e int) {
	ec.queueMutex.Lock()
	ec.events = append(ec.events, e)
	ec.queueMutex.Unlock()
	ec.queueCond.Signal()
}

// The fix.

type fixedEventChannel struct {
	queueMutex sync.Mutex
	queueCond  *sync.Cond
	events     []int
}

func newFixedEventChannel() *fixedEventChannel {
	ec := &fixedEventChannel{}
	ec.queueCond = sync.NewCond(&ec.queueMutex)
	return ec
}

func (ec *fixedEventChannel) waitForEvent(ctx context.Context) bool {
	done := make(chan bool, 1)
	go func() {
		ec.queueMutex.Lock()
		defer ec.queueMutex.Unlock()
		for len(ec.events) == 0 && ctx.Err() == nil {
			ec.queueCond.Wait()
		}
		done <- len(ec.events) > 0
	}()
	go func() {
		<-ctx.Done()
		ec.queueMutex.Lock()
		ec.queueCond.Signal()
		ec.queueMutex.Unlock()
	}()
	return <-done
}

func (ec *fixedEventChannel) push(e int) {
	ec.queueMutex.Lock()
	ec.events = append(ec.events, e)
	ec.queueMutex.Unlock()
	ec.queueCond.Signal()
}

package real

import "sync"

// Upstream: kubernetes/kubernetes#26980
//
// Bug: the shared informer's processorListener.pop waited on a Cond for
// pending notifications, checking a stop channel (a non-blocking select)
// before each Wait. The goroutine that ran the listener closed the stop
// channel to stop it but nothing broadcast the Cond: a pop already in Wait
// never saw the close, and leaked once notifications stopped.
// Fix (later rewritten with channels): wake the waiter when stopping.

type listener struct {
	lock    sync.RWMutex
	cond    sync.Cond
	pending []any
}

func newListener() *listener {
	l := &listener{}
	l.cond.L = &l.lock
	return l
}

func (l *listener) add(n any) {
	l.lock.Lock()
	defer l.lock.Unlock()
	l.pending = append(l.pending, n)
	l.cond.Broadcast()
}

func (l *listener) pop(stopCh <-chan struct{}) any {
	l.lock.Lock()
	defer l.lock.Unlock()
	for len(l.pending) == 0 {
		select {
		case <-stopCh:
			return nil
		default:
		}
		l.cond.Wait()
	}
	n := l.pending[0]
	l.pending = l.pending[1:]
	return n
}

func RunListener() {
	l := newListener()
	stopCh := make(chan struct{})
	go l.pop(stopCh)
	l.add(1)
	close(stopCh) // want `no wake-up: RunListener closes stopCh, which ends the Wait on cond in pop \(line 42\), but nothing signals cond after the close`
}

// The fix: stopping broadcasts under the lock after the close.

type fixedListener struct {
	lock    sync.Mutex
	cond    sync.Cond
	pending []any
}

func newFixedListener() *fixedListener {
	l := &fixedListener{}
	l.cond.L = &l.lock
	return l
}

func (l *fixedListener) pop(stopCh <-chan struct{}) any {
	l.lock.Lock()
	defer l.lock.Unlock()
	for len(l.pending) == 0 {
		select {
		case <-stopCh:
			return nil
		default:
		}
		l.cond.Wait()
	}
	return l.pending[0]
}

func (l *fixedListener) add(n any) {
	l.lock.Lock()
	defer l.lock.Unlock()
	l.pending = append(l.pending, n)
	l.cond.Broadcast()
}

func RunFixedListener() {
	l := newFixedListener()
	stopCh := make(chan struct{})
	go l.pop(stopCh)
	l.add(1)
	close(stopCh)
	l.lock.Lock()
	l.cond.Broadcast()
	l.lock.Unlock()
}

// The same with the stop channel closed by a deferred close, after the
// listener was fed (the signal in add comes before the close runs).
func RunListenerDeferred() {
	l := newListener()
	stopCh := make(chan struct{})
	defer close(stopCh) // want `no wake-up: RunListenerDeferred closes stopCh`
	go l.pop(stopCh)
	l.add(1)
}

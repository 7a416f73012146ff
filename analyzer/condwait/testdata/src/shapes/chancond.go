package shapes

import (
	"sync"
	"time"
)

// Condition variables made of channels: the waiter gives up its lock and
// then receives from an unbuffered channel that is only sent on in a
// select with a default. A wake sent between the Unlock and the receive is
// dropped.

// (1) A field channel, a concrete mutex, the wake in a helper called under
// the lock.

type ccTask struct {
	mu    sync.Mutex
	ready bool
	wake  chan struct{}
}

func newCcTask() *ccTask { return &ccTask{wake: make(chan struct{})} }

func (t *ccTask) kick() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *ccTask) finish() {
	t.mu.Lock()
	t.ready = true
	t.kick()
	t.mu.Unlock()
}

func (t *ccTask) await() {
	t.mu.Lock()
	for !t.ready {
		t.mu.Unlock()
		<-t.wake // want `lost wake-up: await releases its lock \(line \d+\) and then waits on an unbuffered channel that is only sent on in a select with a default \(line \d+\)`
		t.mu.Lock()
	}
	t.mu.Unlock()
}

// (1, fixed) A buffer of one keeps the wake until the waiter comes.

type ccTaskFixed struct {
	mu    sync.Mutex
	ready bool
	wake  chan struct{}
}

func newCcTaskFixed() *ccTaskFixed { return &ccTaskFixed{wake: make(chan struct{}, 1)} }

func (t *ccTaskFixed) kick() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *ccTaskFixed) finish() {
	t.mu.Lock()
	t.ready = true
	t.kick()
	t.mu.Unlock()
}

func (t *ccTaskFixed) await() {
	t.mu.Lock()
	for !t.ready {
		t.mu.Unlock()
		<-t.wake
		t.mu.Lock()
	}
	t.mu.Unlock()
}

// (2) A local channel captured by the goroutine that wakes.

func ccRunOnce(work func()) {
	var mu sync.Mutex
	done := false
	wake := make(chan struct{})
	mu.Lock()
	go func() {
		work()
		mu.Lock()
		done = true
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	}()
	for !done {
		mu.Unlock()
		<-wake // want `lost wake-up: ccRunOnce releases its lock`
		mu.Lock()
	}
	mu.Unlock()
}

// (2, fixed) The waiter re-checks on a timer: a dropped wake only delays it.

func ccRunOnceFixed(work func()) {
	var mu sync.Mutex
	done := false
	wake := make(chan struct{})
	mu.Lock()
	go func() {
		work()
		mu.Lock()
		done = true
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
	}()
	for !done {
		mu.Unlock()
		select {
		case <-wake:
		case <-time.After(10 * time.Millisecond):
		}
		mu.Lock()
	}
	mu.Unlock()
}

// (3) A Locker field, a value received with comma-ok, the lock taken back
// in a defer.

type ccNotifier struct {
	L  sync.Locker
	ch chan int
}

func newCcNotifier(l sync.Locker) *ccNotifier { return &ccNotifier{L: l, ch: make(chan int)} }

func (n *ccNotifier) notify(v int) bool {
	select {
	case n.ch <- v:
		return true
	default:
		return false
	}
}

func (n *ccNotifier) await() int {
	n.L.Unlock()
	defer n.L.Lock()
	v, ok := <-n.ch // want `lost wake-up: await releases its lock`
	if !ok {
		return -1
	}
	return v
}

// (3, fixed) The notifier blocks until the waiter takes the value.

type ccNotifierFixed struct {
	L  sync.Locker
	ch chan int
}

func newCcNotifierFixed(l sync.Locker) *ccNotifierFixed {
	return &ccNotifierFixed{L: l, ch: make(chan int)}
}

func (n *ccNotifierFixed) notify(v int) {
	n.ch <- v
}

func (n *ccNotifierFixed) await() int {
	n.L.Unlock()
	defer n.L.Lock()
	return <-n.ch
}

// Look-alikes left alone.

// A consumer that holds no lock: dropping a wake while it is busy is the
// design (a coalescing kick), not a waiter that checked a condition.
type ccKicker struct {
	kicks chan struct{}
}

func newCcKicker() *ccKicker { return &ccKicker{kicks: make(chan struct{})} }

func (k *ccKicker) Kick() {
	select {
	case k.kicks <- struct{}{}:
	default:
	}
}

func (k *ccKicker) loop(run func()) {
	for {
		<-k.kicks
		run()
	}
}

// A lock taken again before the receive: the waiter does not wait with its
// lock just released.
type ccRelocked struct {
	mu, other sync.Mutex
	wake      chan struct{}
}

func newCcRelocked() *ccRelocked { return &ccRelocked{wake: make(chan struct{})} }

func (r *ccRelocked) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *ccRelocked) await() {
	r.mu.Lock()
	r.mu.Unlock()
	r.other.Lock()
	<-r.wake
	r.other.Unlock()
}

// A channel closed to wake everyone: a receive after the close proceeds.
type ccClosing struct {
	mu   sync.Mutex
	wake chan struct{}
}

func newCcClosing() *ccClosing { return &ccClosing{wake: make(chan struct{})} }

func (c *ccClosing) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *ccClosing) shut() { close(c.wake) }

func (c *ccClosing) await() {
	c.mu.Lock()
	c.mu.Unlock()
	<-c.wake
}

package real

import (
	"sync"
)

// Upstream: cockroachdb/cockroach#69408
//
// Bug: a test makes a Cond of its own and hands the buffer a callback that
// signals it when the producer first finds the buffer full; the test then
// locks the Cond's mutex and waits once, with no condition, before it
// starts reading. The producer runs in a goroutine started before that
// Wait: when it fills the buffer first, its Signal wakes nobody, and the
// test and the producer block each other for good.
// Fix: the callback closes a channel (once) and the test receives from it.

type quotaBuf struct {
	slots   chan struct{}
	onBlock func()
	out     chan int
}

func (q *quotaBuf) put(v int) {
	select {
	case q.slots <- struct{}{}:
	default:
		q.onBlock()
		q.slots <- struct{}{}
	}
	q.out <- v
}

func (q *quotaBuf) take() int {
	v := <-q.out
	<-q.slots
	return v
}

func waitUntilBlocked(n int) {
	var mu sync.Mutex
	blocked := sync.NewCond(&mu)
	q := &quotaBuf{slots: make(chan struct{}, 1), out: make(chan int, 1)}
	q.onBlock = func() {
		blocked.Signal()
	}
	go func() {
		for i := 0; i < n; i++ {
			q.put(i)
		}
	}()
	mu.Lock()
	blocked.Wait() // want `lost wake-up: Wait on blocked, a Cond made in waitUntilBlocked, checks no condition and is not in a loop: a function literal in waitUntilBlocked \(line 44\) calls Signal without the Cond's lock, so it can run before this goroutine reaches Wait`
	mu.Unlock()
	for i := 0; i < n; i++ {
		q.take()
	}
}

// The fix: a channel closed once replaces the Cond.

func waitUntilBlockedFixed(n int) {
	reached := make(chan struct{})
	var once sync.Once
	q := &quotaBuf{slots: make(chan struct{}, 1), out: make(chan int, 1)}
	q.onBlock = func() { once.Do(func() { close(reached) }) }
	go func() {
		for i := 0; i < n; i++ {
			q.put(i)
		}
		once.Do(func() { close(reached) })
	}()
	<-reached
	for i := 0; i < n; i++ {
		q.take()
	}
}

// Upstream: ochinchina/supervisord#223
//
// Bug: Start makes a Cond, takes its lock, starts the program in a
// goroutine whose completion callback signals the Cond without the lock,
// and, when asked to wait, calls Wait with no condition. The callback does
// not need the lock, so it can signal before Start reaches Wait: the
// signal is lost and Start waits forever.
// Fix: the callback takes the Cond's lock around Signal; Start holds the
// lock from before it starts the goroutine until Wait releases it.

type program struct {
	mu    sync.Mutex
	state string
}

func (p *program) launch(done func()) {
	p.mu.Lock()
	p.state = "running"
	p.mu.Unlock()
	done()
}

func (p *program) Start(wait bool) {
	started := sync.NewCond(&sync.Mutex{})
	started.L.Lock()
	go func() {
		p.launch(func() {
			started.Signal()
		})
	}()
	if wait {
		started.Wait() // want `lost wake-up: Wait on started, a Cond made in Start, checks no condition and is not in a loop: a function literal in a function literal in Start \(line 105\) calls Signal without the Cond's lock`
	}
	started.L.Unlock()
}

// The fix: the signal is made under the lock the waiter holds until Wait.

func (p *program) StartFixed(wait bool) {
	started := sync.NewCond(&sync.Mutex{})
	started.L.Lock()
	go func() {
		p.launch(func() {
			started.L.Lock()
			started.Signal()
			started.L.Unlock()
		})
	}()
	if wait {
		started.Wait()
	}
	started.L.Unlock()
}

package real

import (
	"sync"
	"time"
)

// Upstream: folbricht/routedns#335. The fail-back group keeps in failCh
// the channel startResetTimer makes, hands to the timer goroutine it
// starts and returns; errorFrom signals it (room for one) holding the
// group's mutex, and the timer goroutine locks the mutex between two
// receives: once the signal is pending, the next failing query's send
// waits with the mutex held for a goroutine that waits for the mutex.
// Fix: unlock before the send.
type failBack struct {
	mu     sync.RWMutex
	failCh chan struct{}
	active int
	n      int
}

func (r *failBack) errorFrom(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i != r.active {
		return
	}
	if r.failCh == nil {
		r.failCh = r.startResetTimer()
	}
	r.active = (r.active + 1) % r.n
	r.failCh <- struct{}{} // want `this send on field failCh holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
}

func (r *failBack) Resolve(q string) {
	for i := 0; i < r.n; i++ {
		r.errorFrom(i)
	}
}

func (r *failBack) startResetTimer() chan struct{} {
	failCh := make(chan struct{}, 1)
	go func() {
		timer := time.NewTimer(time.Minute)
		for {
			select {
			case <-failCh:
				if !timer.Stop() {
					<-timer.C
				}
			case <-timer.C:
				r.mu.Lock()
				r.active = 0
				r.mu.Unlock()
				<-failCh
			}
			timer.Reset(time.Minute)
		}
	}()
	return failCh
}

// The fix: the send after the unlock.
type failBackFixed struct {
	mu     sync.RWMutex
	failCh chan struct{}
	active int
	n      int
}

func (r *failBackFixed) errorFrom(i int) {
	r.mu.Lock()
	if i != r.active {
		r.mu.Unlock()
		return
	}
	if r.failCh == nil {
		r.failCh = r.startResetTimer()
	}
	r.active = (r.active + 1) % r.n
	failCh := r.failCh
	r.mu.Unlock()
	failCh <- struct{}{}
}

func (r *failBackFixed) Resolve(q string) {
	for i := 0; i < r.n; i++ {
		r.errorFrom(i)
	}
}

func (r *failBackFixed) startResetTimer() chan struct{} {
	failCh := make(chan struct{}, 1)
	go func() {
		timer := time.NewTimer(time.Minute)
		for {
			select {
			case <-failCh:
				if !timer.Stop() {
					<-timer.C
				}
			case <-timer.C:
				r.mu.Lock()
				r.active = 0
				r.mu.Unlock()
				<-failCh
			}
			timer.Reset(time.Minute)
		}
	}()
	return failCh
}

// Look-alike: the returned channel is also handed to someone else (a
// registry), so its receivers are not all known.
type failBackShared struct {
	mu     sync.Mutex
	failCh chan struct{}
	seen   []chan struct{}
}

func (r *failBackShared) Signal() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failCh == nil {
		r.failCh = r.start()
	}
	r.failCh <- struct{}{}
}

func (r *failBackShared) start() chan struct{} {
	ch := make(chan struct{}, 1)
	r.seen = append(r.seen, ch)
	go func() {
		for range ch {
			r.mu.Lock()
			r.mu.Unlock()
		}
	}()
	return ch
}

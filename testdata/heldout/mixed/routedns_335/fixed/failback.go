// Package fixed is the fixed version of mixed/routedns_335: errorFrom
// releases the group's mutex before signalling the reset timer on failCh,
// so the timer goroutine can take the mutex and go back to draining failCh.
package fixed

import (
	"sync"
	"time"
)

// Msg is a DNS message.
type Msg struct {
	Question string
	Rcode    int
}

// RcodeServerFailure is SERVFAIL.
const RcodeServerFailure = 2

// Resolver answers DNS queries.
type Resolver interface {
	Resolve(q *Msg) (*Msg, error)
	String() string
}

// FailBackOptions are the group's options.
type FailBackOptions struct {
	ResetAfter    time.Duration
	ServfailError bool
}

// FailBack queries the active resolver and fails over on errors.
type FailBack struct {
	id        string
	resolvers []Resolver
	mu        sync.RWMutex
	failCh    chan struct{} // failures restart the reset timer
	active    int
	opt       FailBackOptions
	failovers int64
}

// NewFailBack returns a fail-back group over resolvers.
func NewFailBack(id string, opt FailBackOptions, resolvers ...Resolver) *FailBack {
	if opt.ResetAfter == 0 {
		opt.ResetAfter = time.Minute
	}
	return &FailBack{id: id, resolvers: resolvers, opt: opt}
}

// Resolve tries the active resolver, failing over on error.
func (r *FailBack) Resolve(q *Msg) (*Msg, error) {
	var (
		err error
		a   *Msg
	)
	for i := 0; i < len(r.resolvers); i++ {
		resolver, active := r.current()
		a, err = resolver.Resolve(q)
		if err == nil && r.isSuccessResponse(a) {
			return a, err
		}
		r.errorFrom(active)
	}
	return a, err
}

func (r *FailBack) String() string { return r.id }

func (r *FailBack) current() (Resolver, int) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.resolvers[r.active], r.active
}

// errorFrom fails over after an error from resolver i, if i is still active.
func (r *FailBack) errorFrom(i int) {
	r.mu.Lock()
	if i != r.active {
		r.mu.Unlock()
		return
	}
	if r.failCh == nil { // first failure starts the timer goroutine
		r.failCh = r.startResetTimer()
	}
	r.active = (r.active + 1) % len(r.resolvers)
	r.failovers++
	failCh := r.failCh
	r.mu.Unlock()
	failCh <- struct{}{}
}

// startResetTimer fails back to the first resolver once ResetAfter passes
// without a failure.
func (r *FailBack) startResetTimer() chan struct{} {
	failCh := make(chan struct{}, 1)
	go func() {
		timer := time.NewTimer(r.opt.ResetAfter)
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
				// back on the first resolver: idle until the next failure
				<-failCh
			}
			timer.Reset(r.opt.ResetAfter)
		}
	}()
	return failCh
}

func (r *FailBack) isSuccessResponse(a *Msg) bool {
	return a == nil || !(r.opt.ServfailError && a.Rcode == RcodeServerFailure)
}

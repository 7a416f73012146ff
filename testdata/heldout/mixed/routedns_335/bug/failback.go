// Package bug is a held-out kernel (issue 14): RouteDNS's fail-back group
// switches to the next resolver when the active one fails and signals a
// reset timer goroutine on failCh, a channel with room for one signal, so
// that it waits before failing back to the first resolver. errorFrom sends
// that signal while still holding the group's mutex. When the timer fires
// at the same moment, the timer goroutine blocks taking the mutex to reset
// the active resolver, stops draining failCh, and the next failing query's
// send blocks with the mutex held; every later query blocks in current()
// on the read lock, and the server stops answering.
//
// Upstream: folbricht/routedns#335 ("Fix deadlock in fail-back group", issue folbricht/routedns#334)
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: issue folbricht/routedns#334 ("Deadlock in Fail-back Group") shows
// a goroutine dump with hundreds of queries in RWMutex.RLock under
// FailBack.current, one in errorFrom sending on failCh and the timer
// goroutine in Lock; it was more likely "when there're many incoming
// requests and upstream resolvers failed immediately". The maintainer,
// closing it: "errorFrom releases the lock before signalling the reset
// timer, so the timer goroutine can no longer be blocked by the goroutine
// writing to failCh." Reduced from failback.go: the FailBack struct,
// Resolve, current, errorFrom and startResetTimer keep their shape; DNS
// messages, metrics and logging are reduced. errorFrom holding the lock
// across the send with a deferred Unlock is our reading of the code before
// the fix.
//
// Fix: errorFrom unlocks the mutex before `r.failCh <- struct{}{}`.
package bug

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
	r.mu.RLock() // heldout:site
	defer r.mu.RUnlock()
	return r.resolvers[r.active], r.active
}

// errorFrom fails over after an error from resolver i, if i is still active.
func (r *FailBack) errorFrom(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i != r.active {
		return
	}
	if r.failCh == nil { // first failure starts the timer goroutine
		r.failCh = r.startResetTimer()
	}
	r.active = (r.active + 1) % len(r.resolvers)
	r.failovers++
	r.failCh <- struct{}{} // heldout:site
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
				r.mu.Lock() // heldout:site
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

// Package bug is a held-out kernel (issue 14): trickster's application
// load balancer fans a request out to every target of the pool and waits
// for the fan-out on a WaitGroup; a fan-out goroutine whose target slot is
// nil returns without calling wg.Done, so wg.Wait blocks for ever and the
// request handler never returns.
//
// Upstream: trickstercache/trickster#798 ("perf: make less WaitGroup.Add calls")
// Round: 12
//
// Bug: handleFirstResponse takes the fan-out list from the pool, proxies
// directly when it has one entry, and otherwise makes a responder claim
// (one cancellable context per target; the first target to write a
// good response claims the client's ResponseWriter and the others are
// cancelled). For each target it does wg.Add(1) and starts a goroutine
// that returns at once if the target is nil and otherwise serves the
// cloned request through a firstResponseGate and calls wg.Done(). It
// then waits on wg. The nil check returns without wg.Done(), so any nil
// entry in the list leaves the counter above zero and the handler blocks
// in wg.Wait() for ever. In the PR the reviewer notes "the pre-existing
// defect is that the goroutine is just missing a wg.Done() inside the
// nil-check circuit breaker", and the PR adds it. How a nil entry gets
// into the list is our reduction: the pool leaves unhealthy targets' slots
// nil; the other ALB mechanisms (round robin, TSMerge) are left out.
//
// Fix (trickstercache/trickster#798): wg.Add(l) once before the loop,
// and the nil-check path calls wg.Done() before returning.
package bug

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
)

// Target is a pool member.
type Target struct {
	handler http.Handler
	healthy atomic.Bool
}

// Pool is the set of targets behind the ALB.
type Pool struct {
	mu      sync.RWMutex
	targets []*Target
}

// Next returns the fan-out list: one slot per target, nil for the
// targets that are not healthy.
func (p *Pool) Next() []http.Handler {
	p.mu.RLock()
	defer p.mu.RUnlock()
	hl := make([]http.Handler, len(p.targets))
	for i, t := range p.targets {
		if t.healthy.Load() {
			hl[i] = t.handler
		}
	}
	return hl
}

// responderClaim lets exactly one fan-out answer the client.
type responderClaim struct {
	lockVal  atomic.Int64
	contexts []context.Context
	cancels  []context.CancelFunc
}

func newResponderClaim(parent context.Context, sz int) *responderClaim {
	rc := &responderClaim{
		contexts: make([]context.Context, sz),
		cancels:  make([]context.CancelFunc, sz),
	}
	rc.lockVal.Store(-1)
	for i := 0; i < sz; i++ {
		rc.contexts[i], rc.cancels[i] = context.WithCancel(parent)
	}
	return rc
}

// Claim reports whether fan-out i owns the response, claiming it if
// nobody has; the first claim cancels the other fan-outs.
func (rc *responderClaim) Claim(i int64) bool {
	if rc.lockVal.Load() == i {
		return true
	}
	if rc.lockVal.CompareAndSwap(-1, i) {
		for j, cancel := range rc.cancels {
			if int64(j) != i {
				cancel()
			}
		}
		return true
	}
	return false
}

// release cancels every fan-out context.
func (rc *responderClaim) release() {
	for _, cancel := range rc.cancels {
		cancel()
	}
}

// Client is the ALB backend client.
type Client struct {
	pool *Pool
	fgr  bool
}

func handleBadGateway(w http.ResponseWriter) {
	w.WriteHeader(http.StatusBadGateway)
}

func (c *Client) handleFirstResponse(w http.ResponseWriter, r *http.Request) {
	hl := c.pool.Next() // should return a fanout list
	l := len(hl)
	if l == 0 {
		handleBadGateway(w)
		return
	}
	// just proxy 1:1 if no folds in the fan
	if l == 1 {
		if hl[0] == nil {
			handleBadGateway(w)
			return
		}
		hl[0].ServeHTTP(w, r)
		return
	}
	// otherwise iterate the fanout
	wc := newResponderClaim(r.Context(), l)
	defer wc.release()
	var wg sync.WaitGroup
	for i := 0; i < l; i++ {
		wg.Add(1)
		// only one of the fanouts will be mapped back to the end user;
		// the rest will have their contexts canceled
		go func(j int) {
			if hl[j] == nil {
				return // heldout:site
			}
			wm := &firstResponseGate{ResponseWriter: w, c: wc, i: int64(j), fh: http.Header{}, fgr: c.fgr}
			r2 := r.Clone(wc.contexts[j])
			hl[j].ServeHTTP(wm, r2)
			wg.Done()
		}(i)
	}
	wg.Wait() // heldout:site
}

type firstResponseGate struct {
	http.ResponseWriter
	i   int64
	fh  http.Header
	c   *responderClaim
	fgr bool
}

func (frg *firstResponseGate) Header() http.Header {
	return frg.fh
}

func (frg *firstResponseGate) WriteHeader(code int) {
	if (!frg.fgr || code < 400) && frg.c.Claim(frg.i) {
		for k, v := range frg.fh {
			frg.ResponseWriter.Header()[k] = v
		}
		frg.fh = http.Header{}
		frg.ResponseWriter.WriteHeader(code)
	}
}

func (frg *firstResponseGate) Write(b []byte) (int, error) {
	if frg.c.Claim(frg.i) {
		for k, v := range frg.fh {
			frg.ResponseWriter.Header()[k] = v
		}
		frg.fh = http.Header{}
		return frg.ResponseWriter.Write(b)
	}
	return len(b), nil
}

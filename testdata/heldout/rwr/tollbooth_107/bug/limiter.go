// Package bug is a held-out kernel (issue 14): a rate limiter that runs
// the user's on-limit-reached callback under its read lock, while the
// callback calls a getter that read-locks the limiter again.
//
// Upstream: didip/tollbooth#107 ("Fixes deadlock in ExecOnLimitReached")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: ExecOnLimitReached holds l.RLock for the whole call of the
// function set with SetOnLimitReached. A callback that calls
// GetStatusCode (to label a metric, #106) takes l.RLock a second time.
// Under concurrent requests another request is in LimitReached, which
// takes l.Lock to create the token bucket for its key; once that writer
// queues between the two RLocks, the callback, the writer and every later
// request block. The token buckets are reduced to a map.
//
// Fix: ExecOnLimitReached copies the callback under the read lock and
// calls it after RUnlock.
package bug

import (
	"net/http"
	"sync"
	"time"
)

type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter is a config struct to limit a particular request handler.
type Limiter struct {
	max            float64
	statusCode     int
	message        string
	onLimitReached func(w http.ResponseWriter, r *http.Request)
	tokenBuckets   map[string]*bucket

	sync.RWMutex
}

// SetOnLimitReached sets the function called when a request is rejected.
func (l *Limiter) SetOnLimitReached(fn func(w http.ResponseWriter, r *http.Request)) *Limiter {
	l.Lock()
	l.onLimitReached = fn
	l.Unlock()
	return l
}

// ExecOnLimitReached runs the on-limit-reached callback, if any.
func (l *Limiter) ExecOnLimitReached(w http.ResponseWriter, r *http.Request) {
	l.RLock()
	defer l.RUnlock()

	fn := l.onLimitReached
	if fn != nil {
		fn(w, r) // heldout:site
	}
}

// GetStatusCode is thread-safe way of getting the HTTP status code.
func (l *Limiter) GetStatusCode() int {
	l.RLock() // heldout:site
	defer l.RUnlock()
	return l.statusCode
}

// GetMax is thread-safe way of getting the maximum requests per second.
func (l *Limiter) GetMax() float64 {
	l.RLock()
	defer l.RUnlock()
	return l.max
}

// LimitReached reports whether the request for key is over the limit.
func (l *Limiter) LimitReached(key string) bool {
	max := l.GetMax()
	now := time.Now()

	l.Lock() // heldout:site
	defer l.Unlock()
	if l.tokenBuckets == nil {
		l.tokenBuckets = make(map[string]*bucket)
	}
	b, ok := l.tokenBuckets[key]
	if !ok {
		b = &bucket{tokens: max, last: now}
		l.tokenBuckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * max
	if b.tokens > max {
		b.tokens = max
	}
	b.last = now
	if b.tokens < 1 {
		return true
	}
	b.tokens--
	return false
}

// LimitHandler rejects requests over the limit.
func LimitHandler(lmt *Limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lmt.LimitReached(r.RemoteAddr) {
			lmt.ExecOnLimitReached(w, r)
			w.WriteHeader(lmt.GetStatusCode())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// metricsCallback is the kind of callback from #106: it labels a counter
// with the limiter's status code.
func metricsCallback(lmt *Limiter, count func(code int)) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		count(lmt.GetStatusCode())
	}
}

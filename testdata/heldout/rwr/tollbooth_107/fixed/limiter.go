// Package fixed is the fixed version of rwr/tollbooth_107: the callback
// runs after the read lock is released.
package fixed

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
	fn := l.onLimitReached
	l.RUnlock()

	if fn != nil {
		fn(w, r)
	}
}

// GetStatusCode is thread-safe way of getting the HTTP status code.
func (l *Limiter) GetStatusCode() int {
	l.RLock()
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

	l.Lock()
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

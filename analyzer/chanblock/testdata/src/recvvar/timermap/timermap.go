// Variant of chanrecv/certmanager_4233 (M3: the timer goroutine is a
// method; the timers live in a map). Blocks: Forget stops a pending timer;
// a stopped timer never sends, so fire's receive waits for ever.
package timermap

import (
	"sync"
	"time"
)

type Queue struct {
	mu      sync.Mutex
	timers  map[string]*time.Timer
	process func(string)
}

func (q *Queue) fire(key string, t *time.Timer) {
	<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
	q.process(key)
}

func (q *Queue) Add(key string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.timers[key]; ok {
		t.Stop()
	}
	t := time.NewTimer(d)
	q.timers[key] = t
	go q.fire(key, t)
}

func (q *Queue) Forget(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.timers[key]; ok {
		t.Stop()
		delete(q.timers, key)
	}
}

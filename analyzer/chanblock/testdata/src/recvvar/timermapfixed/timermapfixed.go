// Fixed twin of timermap: must stay silent. Variant of chanrecv/certmanager_4233 (M3: the timer goroutine is a
// method; the timers live in a map). Blocks: Forget stops a pending timer;
// a stopped timer never sends, so fire's receive waits for ever.
package timermapfixed

import (
	"sync"
	"time"
)

type Queue struct {
	mu      sync.Mutex
	timers  map[string]*time.Timer
	process func(string)
}

func (q *Queue) Add(key string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.timers[key]; ok {
		t.Stop()
	}
	q.timers[key] = time.AfterFunc(d, func() { q.process(key) })
}

func (q *Queue) Forget(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.timers[key]; ok {
		t.Stop()
		delete(q.timers, key)
	}
}

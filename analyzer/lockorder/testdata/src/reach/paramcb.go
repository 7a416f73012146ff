package reach

import "sync"

// A cache calls the eviction callback its constructor was given while
// holding its lock; the package's own caller passes a method that locks
// the owner, and the owner calls into the cache under its own lock.
type lru struct {
	mu      sync.Mutex
	onEvict func(k int)
	keys    []int
}

func newLRU(onEvict func(k int)) *lru { return &lru{onEvict: onEvict} }

func (l *lru) add(k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, k)
	if len(l.keys) > 8 {
		l.onEvict(l.keys[0]) // want `lock order inversion by lock class: add locks l.mu \(line \d+\) then b.bytesMu inside onEvicted \(the callback passed to newLRU at line \d+\)`
		l.keys = l.keys[1:]
	}
}

func (l *lru) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

type blockCache struct {
	bytesMu sync.Mutex
	bytes   int
	clean   *lru
}

func newBlockCache() *blockCache {
	b := &blockCache{}
	b.clean = newLRU(b.onEvicted)
	return b
}

func (b *blockCache) onEvicted(k int) {
	b.bytesMu.Lock()
	b.bytes -= k
	b.bytesMu.Unlock()
}

func (b *blockCache) makeRoom() {
	b.bytesMu.Lock()
	defer b.bytesMu.Unlock()
	if b.clean.size() > 4 {
		b.bytes = 0
	}
}

// --- look-alikes that must stay silent ---

// The callback comes from the constructor's caller's own parameter: the
// package cannot name it.
type queue struct {
	mu   sync.Mutex
	done func()
}

func newQueue(done func()) *queue { return &queue{done: done} }

func NewQueue(done func()) *queue { return newQueue(done) }

func (q *queue) finish() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.done() // ok: unknown callback
}

// A constructor nobody in the package calls.
type ticker struct {
	mu   sync.Mutex
	tick func()
}

func NewTicker(tick func()) *ticker { return &ticker{tick: tick} }

func (t *ticker) run() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tick() // ok: no known caller
}

// A method expression passed to the constructor.
type job struct {
	mu   sync.Mutex
	done bool
}

func (j *job) finish() {
	j.mu.Lock()
	j.done = true
	j.mu.Unlock()
}

type runner struct {
	mu     sync.Mutex
	onDone func(j *job)
	jobs   []*job
}

func newRunner(onDone func(j *job)) *runner { return &runner{onDone: onDone} }

func defaultRunner() *runner { return newRunner((*job).finish) }

func (r *runner) complete(j *job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onDone(j) // want `lock order inversion by lock class: complete locks r.mu \(line \d+\) then j.mu inside j.finish \(the callback passed to newRunner at line \d+\)`
}

func (j *job) cancel(r *runner) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r.mu.Lock()
	r.jobs = nil
	r.mu.Unlock()
}

// Package fixed is the fixed version of lockheld/gitea_9790: AddFunc's
// early return unlocks the status table.
package fixed

import "sync"

// StatusTable records which ids are queued or running.
type StatusTable struct {
	lock sync.RWMutex
	pool map[string]struct{}
}

// NewStatusTable returns an empty table.
func NewStatusTable() *StatusTable {
	return &StatusTable{pool: make(map[string]struct{})}
}

// Start marks name as running.
func (p *StatusTable) Start(name string) {
	p.lock.Lock()
	p.pool[name] = struct{}{}
	p.lock.Unlock()
}

// Stop clears name.
func (p *StatusTable) Stop(name string) {
	p.lock.Lock()
	delete(p.pool, name)
	p.lock.Unlock()
}

// IsRunning reports whether name is in the table.
func (p *StatusTable) IsRunning(name string) bool {
	p.lock.RLock()
	_, ok := p.pool[name]
	p.lock.RUnlock()
	return ok
}

// UniqueQueue is a queue that holds each id at most once.
type UniqueQueue struct {
	table  *StatusTable
	queue  chan string
	closed chan struct{}
}

// NewUniqueQueue returns a queue of the given length.
func NewUniqueQueue(queueLength int) *UniqueQueue {
	if queueLength <= 0 {
		queueLength = 100
	}
	return &UniqueQueue{
		table:  NewStatusTable(),
		queue:  make(chan string, queueLength),
		closed: make(chan struct{}),
	}
}

// Close closes the queue.
func (q *UniqueQueue) Close() {
	select {
	case <-q.closed:
	default:
		q.table.lock.Lock()
		select {
		case <-q.closed:
		default:
			close(q.closed)
		}
		q.table.lock.Unlock()
	}
}

// IsClosed is closed when the queue is.
func (q *UniqueQueue) IsClosed() <-chan struct{} { return q.closed }

// Queue returns the channel of queued ids.
func (q *UniqueQueue) Queue() <-chan string { return q.queue }

// Exist reports whether id is queued or running.
func (q *UniqueQueue) Exist(id string) bool { return q.table.IsRunning(id) }

// AddFunc queues id, calling fn under the table lock if it is new.
func (q *UniqueQueue) AddFunc(id string, fn func()) {
	q.table.lock.Lock()
	if _, ok := q.table.pool[id]; ok {
		q.table.lock.Unlock()
		return
	}
	q.table.pool[id] = struct{}{}
	if fn != nil {
		fn()
	}
	q.table.lock.Unlock()
	select {
	case <-q.closed:
		return
	case q.queue <- id:
		return
	}
}

// Add queues id.
func (q *UniqueQueue) Add(id string) { q.AddFunc(id, nil) }

// Remove forgets id so that it can be queued again.
func (q *UniqueQueue) Remove(id string) { q.table.Stop(id) }

// Worker takes ids off the queue and processes them.
func Worker(q *UniqueQueue, process func(id string)) {
	for {
		select {
		case <-q.IsClosed():
			return
		case id := <-q.Queue():
			process(id)
			q.Remove(id)
		}
	}
}

// Package bug is a held-out kernel (issue 14): a unique queue whose
// AddFunc locks the status table and, when the id is already queued,
// returns without unlocking it; the next Add, Exist or Remove of any id
// (the worker's Remove after it has processed an id, for one) waits for
// the table lock forever.
//
// Upstream: go-gitea/gitea#9790 ("Fix missing unlock in uniquequeue")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR diff adds the Unlock to the early return of
// UniqueQueue.AddFunc: after q.table.lock.Lock(), "if _, ok :=
// q.table.pool[idStr]; ok" returned with the lock held. The review
// explains why the Unlock cannot be deferred: the lock must be released
// before the id is pushed to the queue channel. The status table, the
// queue and the worker that drains it (a repository-indexing style
// consumer) follow modules/sync; ids are strings here rather than
// interface{} passed through com.ToStr.
//
// Fix: the early return unlocks the table first.
package bug

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
	p.lock.Lock() // heldout:site
	p.pool[name] = struct{}{}
	p.lock.Unlock()
}

// Stop clears name.
func (p *StatusTable) Stop(name string) {
	p.lock.Lock() // heldout:site
	delete(p.pool, name)
	p.lock.Unlock()
}

// IsRunning reports whether name is in the table.
func (p *StatusTable) IsRunning(name string) bool {
	p.lock.RLock() // heldout:site
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
	q.table.lock.Lock() // heldout:site
	if _, ok := q.table.pool[id]; ok {
		return // heldout:site
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

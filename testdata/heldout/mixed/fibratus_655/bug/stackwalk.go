// Package bug is a held-out kernel (issue 14): a periodic flusher that
// pushes expired events into a full channel while holding the decorator's
// mutex, and the consumer that drains the channel first needs the mutex.
//
// Upstream: rabbitstack/fibratus#655 ("fix(stackwalk): Mitigate deadlock on full input queue")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: the stack-walk decorator parks events until their StackWalk event
// arrives. Its flusher takes s.mu and, for every expired event, calls
// q.push, a blocking send on the event channel. When the channel is
// full the flusher blocks holding s.mu; the next StackWalk event makes
// the consumer call Pop, which blocks on s.mu; the consumer was the only
// reader of the channel, so nothing drains it. The PR describes this
// sequence; a single consume loop that both drains the queue and calls
// Pop is our reduction of the ETW consumer and the event pipeline.
//
// Fix: flush collects the expired events under the lock, releases it,
// and then pushes them.
package bug

import (
	"sync"
	"time"
)

// Event is a kernel event.
type Event struct {
	Tid         uint32
	StackID     uint64
	Timestamp   time.Time
	IsStackWalk bool
	Callstack   []uint64
}

// Queue delivers decorated events downstream.
type Queue struct {
	q chan *Event
}

// NewQueue returns a queue with the given capacity.
func NewQueue(size int) *Queue { return &Queue{q: make(chan *Event, size)} }

func (q *Queue) push(e *Event) {
	q.q <- e // heldout:site
}

// Events is the queue's output.
func (q *Queue) Events() <-chan *Event { return q.q }

// StackwalkDecorator attaches call stacks to the events waiting for them.
type StackwalkDecorator struct {
	q *Queue

	mu      sync.Mutex
	buckets map[uint64][]*Event

	flusher *time.Ticker
	quit    chan struct{}
	maxAge  time.Duration
}

// NewStackwalkDecorator starts the flusher.
func NewStackwalkDecorator(q *Queue) *StackwalkDecorator {
	s := &StackwalkDecorator{
		q:       q,
		buckets: make(map[uint64][]*Event),
		flusher: time.NewTicker(2 * time.Second),
		quit:    make(chan struct{}),
		maxAge:  30 * time.Second,
	}
	go s.doFlush()
	return s
}

// Push parks an event until its stack walk arrives.
func (s *StackwalkDecorator) Push(e *Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets[e.StackID] = append(s.buckets[e.StackID], e)
}

// Pop returns the parked event the stack walk belongs to, decorated.
func (s *StackwalkDecorator) Pop(sw *Event) *Event {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	q := s.buckets[sw.StackID]
	if len(q) == 0 {
		return sw
	}
	e := q[0]
	s.buckets[sw.StackID] = q[1:]
	e.Callstack = sw.Callstack
	return e
}

func (s *StackwalkDecorator) doFlush() {
	for {
		select {
		case <-s.flusher.C:
			s.flush()
		case <-s.quit:
			return
		}
	}
}

// flush pushes the events whose stack walk never came.
func (s *StackwalkDecorator) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for id, q := range s.buckets {
		keep := q[:0]
		for _, e := range q {
			if now.Sub(e.Timestamp) < s.maxAge {
				keep = append(keep, e)
				continue
			}
			s.q.push(e) // heldout:site
		}
		if len(keep) == 0 {
			delete(s.buckets, id)
		} else {
			s.buckets[id] = keep
		}
	}
}

// consume is the event consumer: it takes raw events from the tracing
// session and hands decorated events to the sink.
func consume(raw <-chan *Event, s *StackwalkDecorator, q *Queue, sink func(*Event)) {
	for {
		select {
		case e := <-raw:
			if e.IsStackWalk {
				e = s.Pop(e)
				sink(e)
				continue
			}
			s.Push(e)
		case e := <-q.Events():
			sink(e)
		}
	}
}

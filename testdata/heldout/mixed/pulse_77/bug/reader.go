// Package bug is a held-out kernel (issue 14): a stream reader whose read
// loop fans events out to subscriber channels while holding the reader's
// lock, and whose Close takes that lock before signalling the loop.
//
// Upstream: goadesign/pulse#77 ("streaming: prevent Close from deadlocking on a stalled subscriber")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: the read loop delivers each event with a blocking "c <- ev" while
// holding r.lock. If a subscriber stops draining its channel the loop
// parks on that send with the lock held. Reader.Close first takes
// r.lock, so it never reaches close(r.donechan) or r.wait.Wait(): Close
// never returns and the read goroutine (and its Redis connection) leak.
// The PR describes exactly this; the Redis read is reduced to a fetch
// function and the subscriber bookkeeping to a slice.
//
// Fix: Close closes donechan before taking the lock (once, through a
// sync.Once), and the fan-out send selects on donechan so it abandons
// delivery during teardown.
package bug

import (
	"context"
	"sync"
	"time"
)

// Event is one stream event.
type Event struct {
	ID      string
	Payload []byte
}

// Reader reads a stream and fans its events out to subscribers.
type Reader struct {
	lock     sync.Mutex
	chans    []chan *Event
	closed   bool
	donechan chan struct{}
	wait     sync.WaitGroup
	fetch    func(ctx context.Context, block time.Duration) ([]*Event, error)
	logErr   func(err error)
}

// NewReader starts the read loop.
func NewReader(fetch func(ctx context.Context, block time.Duration) ([]*Event, error)) *Reader {
	r := &Reader{donechan: make(chan struct{}), fetch: fetch, logErr: func(error) {}}
	r.wait.Add(1)
	go r.read()
	return r
}

// Subscribe returns a channel that receives every event.
func (r *Reader) Subscribe() <-chan *Event {
	c := make(chan *Event, 16)
	r.lock.Lock()
	r.chans = append(r.chans, c)
	r.lock.Unlock()
	return c
}

func (r *Reader) read() {
	defer r.wait.Done()
	for {
		select {
		case <-r.donechan:
			return
		default:
		}
		events, err := r.fetch(context.Background(), time.Second)
		if err != nil {
			r.logErr(err)
			continue
		}
		r.lock.Lock()
		for _, ev := range events {
			for _, c := range r.chans {
				c <- ev // heldout:site
			}
		}
		r.lock.Unlock()
	}
}

// Close stops the reader and closes the subscriber channels.
func (r *Reader) Close() {
	r.lock.Lock() // heldout:site
	if r.closed {
		r.lock.Unlock()
		return
	}
	r.closed = true
	close(r.donechan)
	r.lock.Unlock()
	r.wait.Wait()
	r.lock.Lock()
	for _, c := range r.chans {
		close(c)
	}
	r.chans = nil
	r.lock.Unlock()
}

// Package fixed is the fixed version of mixed/pulse_77: Close signals the
// read loop before taking the lock, and the fan-out send gives up on
// teardown.
package fixed

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
	once     sync.Once
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
				select {
				case c <- ev:
				case <-r.donechan:
					r.lock.Unlock()
					return
				}
			}
		}
		r.lock.Unlock()
	}
}

// Close stops the reader and closes the subscriber channels.
func (r *Reader) Close() {
	r.once.Do(func() {
		close(r.donechan)
		r.wait.Wait()
		r.lock.Lock()
		r.closed = true
		for _, c := range r.chans {
			close(c)
		}
		r.chans = nil
		r.lock.Unlock()
	})
}

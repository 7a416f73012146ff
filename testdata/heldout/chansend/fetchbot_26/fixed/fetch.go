// Package fixed is the fixed version of chansend/fetchbot_26: a cancelled
// worker drains its channel, so the host's queue goroutine can flush and
// close it.
package fixed

import "sync"

// Command is one request to fetch.
type Command interface {
	Host() string
	Path() string
}

// Handler is called with each fetched command.
type Handler interface {
	Handle(cmd Command, err error)
}

// Queue feeds commands to a running fetcher.
type Queue struct {
	ch         chan Command
	cancelled  chan struct{}
	cancelOnce sync.Once
	wg         sync.WaitGroup
}

// Send enqueues a command.
func (q *Queue) Send(c Command) {
	select {
	case <-q.cancelled:
	case q.ch <- c:
	}
}

// Cancel stops the fetcher at once, dropping pending commands.
func (q *Queue) Cancel() {
	q.cancelOnce.Do(func() {
		close(q.cancelled)
	})
}

// Block waits until the fetcher has stopped.
func (q *Queue) Block() {
	q.wg.Wait()
}

// Fetcher dispatches commands to one worker per host.
type Fetcher struct {
	Handler Handler
	q       *Queue
	hosts   map[string]chan Command
}

// Start launches the fetcher and returns its queue.
func (f *Fetcher) Start() *Queue {
	f.q = &Queue{
		ch:        make(chan Command, 1),
		cancelled: make(chan struct{}),
	}
	f.hosts = make(map[string]chan Command)
	f.q.wg.Add(1)
	go f.processQueue()
	return f.q
}

func (f *Fetcher) processQueue() {
loop:
	for {
		var v Command
		select {
		case <-f.q.cancelled:
			break loop
		case v = <-f.q.ch:
		}
		in, ok := f.hosts[v.Host()]
		if !ok {
			in = make(chan Command, 1)
			out := make(chan Command)
			f.hosts[v.Host()] = in
			go sliceIQ(in, out)
			f.q.wg.Add(1)
			go f.processChan(out, v.Host())
		}
		in <- v
	}
	for _, in := range f.hosts {
		close(in)
	}
	f.q.wg.Done()
}

// processChan is a host's worker.
func (f *Fetcher) processChan(ch <-chan Command, host string) {
loop:
	for {
		select {
		case <-f.q.cancelled:
			break loop
		case v, ok := <-ch:
			if !ok {
				break loop
			}
			f.Handler.Handle(v, nil)
		}
	}
	// Let sliceIQ flush what it holds; it closes ch when done.
	for range ch {
	}
	f.q.wg.Done()
}

// sliceIQ moves commands from in to next with an unbounded buffer.
func sliceIQ(in <-chan Command, next chan<- Command) {
	defer close(next)

	pending := []Command{}
recv:
	for {
		if len(pending) == 0 {
			v, ok := <-in
			if !ok {
				break
			}
			pending = append(pending, v)
		}

		select {
		case v, ok := <-in:
			if !ok {
				break recv
			}
			pending = append(pending, v)
		case next <- pending[0]:
			pending = pending[1:]
		}
	}

	// After in is closed, we may still have commands to send.
	for _, v := range pending {
		next <- v
	}
}

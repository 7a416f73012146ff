// Package bug is a held-out kernel (issue 14): after Cancel, a host's
// infinite-queue goroutine flushes its pending commands to a worker that
// has already left.
//
// Upstream: PuerkitoBio/fetchbot#26 ("Cancel() make goroutine leak")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: for each host the fetcher starts sliceIQ, an "infinite buffered
// channel" moving commands from the host's in channel to its out channel,
// and processChan, the host's worker, reading out. Cancel closes the
// queue's cancelled channel; processChan sees it and breaks out of its
// loop, and processQueue, seeing it too, closes every host's in channel.
// sliceIQ then flushes the commands it still holds with plain sends on
// out, which nobody reads any more: "This
// part will never end because the receiving loop in processChan() breaked
// just for the 'Cancel()' request." Robots.txt handling, crawl delays and
// the HTTP side are left out; the queue, sliceIQ and processChan follow
// the library.
//
// Fix (our reading; the issue only says it was fixed in v1.1.2): the
// worker drains its out channel after leaving its loop, so sliceIQ's
// flush completes and it closes out.
package bug

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
			break loop // heldout:site
		case v, ok := <-ch:
			if !ok {
				break loop
			}
			f.Handler.Handle(v, nil)
		}
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
		next <- v // heldout:site
	}
}

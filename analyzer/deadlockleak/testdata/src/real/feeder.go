package real

import (
	"context"
	"time"
)

// evstack/ev-node#1476 (audit finding 022, "Context.Done is not honored
// during chan sends in publishBlock"): the aggregation loop published
// each new block header with a plain send on an unbuffered channel whose
// consumer, a broadcast loop, stops when the node's context is canceled;
// after that, the next publish blocks the aggregation loop forever. Fix:
// the send selects on ctx.Done too (with shutdown ordered so the consumer
// outlives the publisher). The kernel puts the consumer goroutine and the
// publishing loop in one function (ours). (The feeder sends itself; the
// receiver goroutine stops on a context or a timer.)
func publishHeaders(ctx context.Context, heights []int, gossip func(int)) {
	headerCh := make(chan int)
	go func() {
		for {
			select {
			case h := <-headerCh:
				gossip(h)
			case <-ctx.Done():
				return
			}
		}
	}()
	for _, h := range heights {
		headerCh <- h // want `this send on an unbuffered channel blocks publishHeaders forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, the context is canceled\) and returned \(line \d+\)`
	}
}

func publishHeadersFixed(ctx context.Context, heights []int, gossip func(int)) {
	headerCh := make(chan int)
	go func() {
		for {
			select {
			case h := <-headerCh:
				gossip(h)
			case <-ctx.Done():
				return
			}
		}
	}()
	for _, h := range heights {
		select {
		case headerCh <- h:
		case <-ctx.Done():
			return
		}
	}
}

// A consumer that gives up after an idle second (ours): the feeder's next
// send after a slow item blocks forever.
func feedWithIdleTimeout(items []string, handle func(string)) {
	ch := make(chan string)
	go func() {
		for {
			select {
			case it := <-ch:
				handle(it)
			case <-time.After(time.Second):
				return
			}
		}
	}()
	for _, it := range items {
		ch <- it // want `blocks feedWithIdleTimeout forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, the timer fires\)`
	}
}

// Look-alikes: the consumer stops only on a channel, or a context, that
// the feeder itself closes or cancels after its last send.
func feedThenStop(items []string, handle func(string)) {
	stop := make(chan struct{})
	ch := make(chan string)
	go func() {
		for {
			select {
			case it := <-ch:
				handle(it)
			case <-stop:
				return
			}
		}
	}()
	for _, it := range items {
		ch <- it
	}
	close(stop)
}

func feedThenCancel(items []string, handle func(string)) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan string)
	go func() {
		for {
			select {
			case it := <-ch:
				handle(it)
			case <-ctx.Done():
				return
			}
		}
	}()
	for _, it := range items {
		ch <- it
	}
	cancel()
}

// A shape of our own (no upstream kernel): a checking loop feeds results
// to a reporting goroutine that stops when Stop closes the checker's quit
// channel; once it has, the loop's next send blocks forever. The fix
// sends inside a select on quit too. (The feeder sends itself; the
// receiver stops on a field's channel that another method closes.)
type healthChecker struct {
	quit chan struct{}
}

func (h *healthChecker) Stop() { close(h.quit) }

func (h *healthChecker) watch(checks []func() bool, report func(bool)) {
	results := make(chan bool)
	go func() {
		for {
			select {
			case ok := <-results:
				report(ok)
			case <-h.quit:
				return
			}
		}
	}()
	for _, check := range checks {
		results <- check() // want `this send on an unbuffered channel blocks watch forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, its stop channel \(field quit\) is closed\)`
	}
}

type healthCheckerFixed struct {
	quit chan struct{}
}

func (h *healthCheckerFixed) Stop() { close(h.quit) }

func (h *healthCheckerFixed) watch(checks []func() bool, report func(bool)) {
	results := make(chan bool)
	go func() {
		for {
			select {
			case ok := <-results:
				report(ok)
			case <-h.quit:
				return
			}
		}
	}()
	for _, check := range checks {
		select {
		case results <- check():
		case <-h.quit:
			return
		}
	}
}

// Look-alike: the feeder closes the stop field itself, after its sends.
type batcher struct {
	done chan struct{}
}

func (b *batcher) flushAll(items []int, flush func(int)) {
	out := make(chan int)
	go func() {
		for {
			select {
			case it := <-out:
				flush(it)
			case <-b.done:
				return
			}
		}
	}()
	for _, it := range items {
		out <- it
	}
	close(b.done)
}

// Look-alike: the feeder closes the stop field through a helper of its
// own, after its sends.
type flusher struct {
	done chan struct{}
}

func (f *flusher) stop() { close(f.done) }

func (f *flusher) flushAll(items []int, flush func(int)) {
	out := make(chan int)
	go func() {
		for {
			select {
			case it := <-out:
				flush(it)
			case <-f.done:
				return
			}
		}
	}()
	for _, it := range items {
		out <- it
	}
	f.stop()
}

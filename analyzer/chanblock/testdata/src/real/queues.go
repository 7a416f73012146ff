package real

import (
	"fmt"
	"sync"
	"time"
)

// pavius/impi#14 (issue #13): Verify started the workers, which send
// their results on the results channel, before anything read that
// channel; the reading came only after the workers were waited for, so
// the workers blocked on their sends and the wait never ended (a buffer
// on the channel only postponed it on large code bases). Fix: read the
// results while the workers run, and close the channel once they are
// done. The kernel's channel is unbuffered. (Wait while the goroutines
// that call Done are blocked on a channel only the waiter's code after
// Wait receives from.)
func impiVerify(paths []string) []string {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- p // want `this goroutine sends on an unbuffered channel that impiVerify receives from only after wg.Wait \(line \d+\), and calls wg.Done only after the send`
		}()
	}
	wg.Wait()
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

func impiVerifyFixed(paths []string) []string {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- p
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

// The look-alike with a receive before the wait: one result is read, and
// there is one worker.
func oneWorker(p string) string {
	results := make(chan string)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- p
	}()
	r := <-results
	wg.Wait()
	return r
}

// cilium/tetragon#510: the event cache's loop handles its entries on a
// tick and, for an out-of-order exec event, calls Add, which hands the
// new entry to the loop over an unbuffered channel; the loop is the only
// receiver of that channel, so it blocked on its own send. Fix: Add from
// a new goroutine in that case. (A queue whose only receiver sends to it,
// through a callee.)
type eventCache struct {
	objs chan string
	tick <-chan time.Time
}

func newEventCache(tick <-chan time.Time) *eventCache {
	ec := &eventCache{objs: make(chan string), tick: tick}
	go ec.loop()
	return ec
}

func (ec *eventCache) Add(o string) {
	ec.objs <- o // want `field objs of eventCache is received from only by loop, and this send runs in loop's own goroutine on the same object \(called at line \d+\): the channel is unbuffered`
}

func (ec *eventCache) handle(pending []string) {
	for _, p := range pending {
		if p == "exec" {
			ec.Add(p + "-parent")
		}
	}
}

func (ec *eventCache) loop() {
	var pending []string
	for {
		select {
		case o := <-ec.objs:
			pending = append(pending, o)
		case <-ec.tick:
			ec.handle(pending)
		}
	}
}

type eventCacheFixed struct {
	objs chan string
	tick <-chan time.Time
}

func newEventCacheFixed(tick <-chan time.Time) *eventCacheFixed {
	ec := &eventCacheFixed{objs: make(chan string), tick: tick}
	go ec.loop()
	return ec
}

func (ec *eventCacheFixed) Add(o string) { ec.objs <- o }

func (ec *eventCacheFixed) handle(pending []string) {
	for _, p := range pending {
		if p == "exec" {
			go ec.Add(p + "-parent")
		}
	}
}

func (ec *eventCacheFixed) loop() {
	var pending []string
	for {
		select {
		case o := <-ec.objs:
			pending = append(pending, o)
		case <-ec.tick:
			ec.handle(pending)
		}
	}
}

// decred/dcrdata#431: the websocket hub's event loop, on a new
// transaction, sent on its own send-buffer channel (room for one), which
// only that loop receives from; with a second signal pending the loop
// blocked on itself. Fix: no longer send to the event loop from the event
// loop (the send moved to a new goroutine). (A bounded queue filled by its
// only receiver.)
type wsHub struct {
	sendBuffer chan int
	newTx      chan int
}

func newWsHub() *wsHub {
	h := &wsHub{sendBuffer: make(chan int, 1), newTx: make(chan int)}
	go h.run()
	return h
}

func (h *wsHub) Flush() { h.sendBuffer <- 0 }

func (h *wsHub) NewTx(tx int) { h.newTx <- tx }

func (h *wsHub) run() {
	for {
		select {
		case tx := <-h.newTx:
			h.sendBuffer <- tx // want `field sendBuffer of wsHub is received from only by run, and this send runs in run's own goroutine on the same object: once other senders have filled its buffer of 1`
		case n := <-h.sendBuffer:
			fmt.Println(n)
		}
	}
}

type wsHubFixed struct {
	sendBuffer chan int
	newTx      chan int
}

func newWsHubFixed() *wsHubFixed {
	h := &wsHubFixed{sendBuffer: make(chan int, 1), newTx: make(chan int)}
	go h.run()
	return h
}

func (h *wsHubFixed) Flush() { h.sendBuffer <- 0 }

func (h *wsHubFixed) NewTx(tx int) { h.newTx <- tx }

func (h *wsHubFixed) run() {
	for {
		select {
		case tx := <-h.newTx:
			go func() { h.sendBuffer <- tx }()
		case n := <-h.sendBuffer:
			fmt.Println(n)
		}
	}
}

// A token channel: the only receiver puts back what it took, and the
// constructor's send only fills the channel it has just made.
type tokenCounter struct{ tok chan int }

func newTokenCounter() *tokenCounter {
	t := &tokenCounter{tok: make(chan int, 1)}
	t.tok <- 0
	go t.run()
	return t
}

func (t *tokenCounter) run() {
	for {
		v := <-t.tok
		t.tok <- v + 1
	}
}

// A worker pool: the receiving function runs as several goroutines, so
// one worker's send can be taken by another.
type pool struct{ jobs chan int }

func newPool() *pool {
	p := &pool{jobs: make(chan int)}
	for range 4 {
		go p.work()
	}
	return p
}

func (p *pool) work() {
	for j := range p.jobs {
		if j > 0 {
			p.jobs <- j - 1
		}
	}
}

func (p *pool) Submit(j int) { p.jobs <- j }

func (p *pool) Close() { close(p.jobs) }

// prometheus/prometheus#275 (TieredStorage.flushMemory): the disk queue
// was filled and drained by the same goroutine, one after the other, with
// no check of its capacity: a flush of more series than the queue holds
// blocked on its own send forever. Fix: the flush checks the queue's
// length and writes to disk before it fills up. (A bounded queue filled by
// its only receiver.)
func promFlush(series []string) int {
	queue := make(chan string, 16)
	for _, s := range series {
		queue <- s // want `only promFlush's own goroutine sends on and receives from this channel, and this send is in a loop that does not receive and is not bounded by the buffer of 16`
	}
	n := 0
	for len(series) > n {
		<-queue
		n++
	}
	return n
}

func promFlushFixed(series []string) int {
	queue := make(chan string, 16)
	n := 0
	for _, s := range series {
		if len(queue) == cap(queue) {
			for range cap(queue) {
				<-queue
				n++
			}
		}
		queue <- s
	}
	return n
}

// A counted fill up to the buffer, and a loop that drains as it fills.
func fitsBuffer() {
	q := make(chan int, 8)
	for i := 0; i < 8; i++ {
		q <- i
	}
	for i := 0; i < 8; i++ {
		<-q
	}
}

func drainsAsItFills(xs []int) {
	q := make(chan int, 1)
	for _, x := range xs {
		q <- x
		<-q
	}
}

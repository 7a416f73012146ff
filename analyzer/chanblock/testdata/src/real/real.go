// Package real holds kernels of channel operations that never complete,
// reduced and rewritten from fixes in real Go projects (no upstream code is
// copied); each positive kernel names its source, the bug and the fix, and
// sits beside its fixed look-alike, which must not be reported.
package real

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func work() error { return nil }

// markfarnan/go-canvas#9: Stop signals the render loop on a channel field
// that nothing ever makes, so Stop sends on a nil channel and hangs. Fix:
// make the channel when the frame loop is set up. (Channel field by class,
// never assigned.)
type canvas struct {
	done chan struct{}
}

func (c *canvas) Stop() {
	c.done <- struct{}{} // want `field done of canvas is never assigned a channel in this package, so it is nil here`
}

func (c *canvas) loop(tick <-chan time.Time) {
	for {
		select {
		case <-c.done:
			return
		case <-tick:
		}
	}
}

type canvasFixed struct {
	done chan struct{}
}

func (c *canvasFixed) initFrameUpdate() { c.done = make(chan struct{}) }

func (c *canvasFixed) Stop() { c.done <- struct{}{} }

func (c *canvasFixed) loop(tick <-chan time.Time) {
	for {
		select {
		case <-c.done:
			return
		case <-tick:
		}
	}
}

// ethersphere/bee#2707 (pushsync pushToClosest): per-peer goroutines wait on
// a done channel for the push to finish, but the function never closes it
// when it returns with an error, and the goroutines leak. The kernel never
// closes it at all. Fix: defer close(done) in the function.
func beePush(peers []string) error {
	done := make(chan struct{})
	for range peers {
		go func() {
			<-done // want `nothing sends on or closes this channel: this receive blocks forever`
			fmt.Println("cleanup")
		}()
	}
	return work()
}

func beePushFixed(peers []string) error {
	done := make(chan struct{})
	defer close(done)
	for range peers {
		go func() {
			<-done
			fmt.Println("cleanup")
		}()
	}
	return work()
}

// Ardan Labs, "Goroutine Leaks - The Abandoned Receivers" (translated in
// studygolang/GCTT#1015): workers range over a channel of records that the
// function fills but never closes, so every worker blocks after the last
// record. Fix: close the channel after the last send. (Range over a channel
// nothing closes.)
func ardanProcess(records []string) {
	input := make(chan string)
	for i := 0; i < 3; i++ {
		go func() {
			for r := range input { // want `nothing closes this channel: this range over it never ends`
				fmt.Println(r)
			}
		}()
	}
	for _, r := range records {
		input <- r
	}
}

func ardanProcessFixed(records []string) {
	input := make(chan string)
	for i := 0; i < 3; i++ {
		go func() {
			for r := range input {
				fmt.Println(r)
			}
		}()
	}
	for _, r := range records {
		input <- r
	}
	close(input)
}

// raff/godet#38: closing the remote debugger leaked the goroutine that
// ranges over the outgoing-message channel, because Close never closed it.
// Fix: Close closes the channel. (Range over a channel field nothing
// closes, by class.)
type debugger struct {
	requests chan string
}

func newDebugger() *debugger {
	d := &debugger{requests: make(chan string)}
	go d.sendMessages()
	return d
}

func (d *debugger) send(m string) { d.requests <- m }

func (d *debugger) sendMessages() {
	for m := range d.requests { // want `nothing closes field requests of debugger: this range over it never ends`
		fmt.Println(m)
	}
}

func (d *debugger) Close() {}

type debuggerFixed struct {
	requests chan string
}

func newDebuggerFixed() *debuggerFixed {
	d := &debuggerFixed{requests: make(chan string)}
	go d.sendMessages()
	return d
}

func (d *debuggerFixed) send(m string) { d.requests <- m }

func (d *debuggerFixed) sendMessages() {
	for m := range d.requests {
		fmt.Println(m)
	}
}

func (d *debuggerFixed) Close() { close(d.requests) }

// kubevirt/kubevirt#6168 (the PR's demonstration of its console/proxy
// leak): a goroutine reports on an error channel that nothing ever reads.
// Fix: a buffer of one. (Nothing receives.)
func kubevirtProxy() {
	errChan := make(chan error)
	go func() {
		errChan <- work() // want `nothing receives from this channel: this send blocks forever`
	}()
	time.Sleep(time.Millisecond)
}

func kubevirtProxyFixed() {
	errChan := make(chan error, 1)
	go func() { errChan <- work() }()
	time.Sleep(time.Millisecond)
}

// Synthetic (the shape issue 14 names; no upstream reference found): a
// semaphore with room for two acquired three times by one goroutine that
// releases nothing. (Buffered send full on every path.)
func semaphoreOveruse() {
	sem := make(chan struct{}, 2)
	sem <- struct{}{}
	sem <- struct{}{}
	sem <- struct{}{} // want `nothing receives from this channel and its buffer of 2 is full on every path here`
}

func semaphoreFits() {
	sem := make(chan struct{}, 2)
	sem <- struct{}{}
	if work() != nil {
		return
	}
	sem <- struct{}{}
}

// Synthetic (issue 14's "a goroutine waiting for a close that only its own
// defer would perform"): run defers the close of its done channel and then
// waits for it.
type runner struct {
	done   chan struct{}
	parent *runner
}

func newRunner(p *runner) *runner { return &runner{done: make(chan struct{}), parent: p} }

func (r *runner) run() {
	defer close(r.done)
	_ = work()
	<-r.done // want `run waits here for field done of runner to be closed, but the only close is its own deferred close`
}

// The look-alike: waiting for the parent's close (another instance, closed
// by the parent's own run) is fine.
type runnerFixed struct {
	done   chan struct{}
	parent *runnerFixed
}

func newRunnerFixed(p *runnerFixed) *runnerFixed {
	return &runnerFixed{done: make(chan struct{}), parent: p}
}

func (r *runnerFixed) run() {
	defer close(r.done)
	if r.parent != nil {
		<-r.parent.done
	}
}

func waitOwnDefer() {
	stop := make(chan struct{})
	defer close(stop)
	go func() { _ = work() }()
	<-stop // want `waitOwnDefer waits here for this channel to be closed, but the only close is its own deferred close`
}

func waitOtherCloser() {
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		_ = work()
	}()
	<-stop
}

// --- more look-alikes ---

// An exported field: other packages may send.
type Public struct{ C chan int }

func (p *Public) Wait() int { return <-p.C }

// The field's channel is handed to another function: not followed.
type handed struct{ c chan int }

func (h *handed) start() { go feed(h.c) }

func feed(c chan int) { c <- 1 }

func (h *handed) wait() int { return <-h.c }

// A nil field only in a select with other cases: a disabled case, an idiom.
type disabled struct{ c chan int }

func (d *disabled) poll() {
	select {
	case <-d.c:
	default:
	}
}

// grpc-go's outStreamRequestForTesting (a false positive once): the
// request carries a reply channel the caller makes, keeps in a local
// variable and receives from there; the handler only sends on the field.
type replyRequest struct {
	id   int
	resp chan int
}

func handleReply(r *replyRequest) { r.resp <- r.id }

func askReply(put func(*replyRequest)) int {
	resp := make(chan int)
	put(&replyRequest{id: 1, resp: resp})
	return <-resp
}

// runtime's chan_test (a false positive once): a comma-ok receive in a
// counted loop is not a range; the loop ends after as many receives as
// sends.
func countedCommaOk() {
	c := make(chan int)
	go func() {
		for i := 0; i < 10; i++ {
			c <- i
		}
	}()
	for i := 0; i < 10; i++ {
		if _, ok := <-c; !ok {
			return
		}
	}
}

// runtime's crash_test (a false positive once): a send after close panics,
// it does not block.
func sendAfterClose() {
	ch := make(chan struct{})
	close(ch)
	ch <- struct{}{}
}

// projectdiscovery/ratelimit#19: New starts the limiter's run goroutine
// with a cancelable context and keeps the cancel function in the limiter,
// but nothing ever calls it, so run's select on ctx.Done never fires and
// the goroutine leaks with each limiter. Fix: a Stop method that calls it.
// (Issue 14 item 7: a cancel function stored and never called.)
type limiter struct {
	ticks  chan struct{}
	cancel context.CancelFunc
}

func newLimiter(parent context.Context) *limiter {
	ctx, cancel := context.WithCancel(parent)
	l := &limiter{ticks: make(chan struct{}, 1)}
	l.cancel = cancel // want `the cancel function kept in field cancel is never called in this package: the goroutine started with its context \(line \d+\) waits on ctx.Done\(\)`
	go l.run(ctx)
	return l
}

func (l *limiter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case l.ticks <- struct{}{}:
		}
	}
}

func (l *limiter) Take() { <-l.ticks }

type limiterFixed struct {
	ticks  chan struct{}
	cancel context.CancelFunc
}

func newLimiterFixed(parent context.Context) *limiterFixed {
	ctx, cancel := context.WithCancel(parent)
	l := &limiterFixed{ticks: make(chan struct{}, 1), cancel: cancel}
	go l.run(ctx)
	return l
}

func (l *limiterFixed) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case l.ticks <- struct{}{}:
		}
	}
}

func (l *limiterFixed) Take() { <-l.ticks }

func (l *limiterFixed) Stop() { l.cancel() }

// nats-server's TestJetStreamClusterConsumerCleanupMemory style (a false
// positive once): the range's body always ends the test, so the loop takes
// one value and never waits for a close.
func firstError(t *testing.T, jobs int) {
	errs := make(chan error, jobs)
	for i := 0; i < jobs; i++ {
		go func() {
			if err := work(); err != nil {
				errs <- err
			}
		}()
	}
	for err := range errs { // want `this range loop can block forever`
		t.Fatalf("%v", err)
	}
}

// A range that returns on the first value.
func firstValue(vals []int) int {
	ch := make(chan int)
	go func() {
		for _, v := range vals {
			ch <- v // want `this send can block forever: firstValue returns`
		}
	}()
	for v := range ch {
		return v
	}
	return 0
}

// nats-server's parallelTaskQueue (a false positive once): workers range
// over a task queue the function returns; its callers send and close it.
func taskQueue(n int) chan<- func() {
	tq := make(chan func(), n)
	for range n {
		go func() {
			for fn := range tq {
				fn()
			}
		}()
	}
	return tq
}

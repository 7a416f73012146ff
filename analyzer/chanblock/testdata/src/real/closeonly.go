package real

import (
	"context"
	"log"
	"sync"
)

// Upstream: kubernetes/kube-state-metrics#2977. A discoverer forwards the
// caller's context to its informer's stop channel with a goroutine that
// ranges over ctx.Done(): nothing is ever sent on a Done channel, so the
// loop ends at the cancel without running its body, the stop channel is
// never closed and the informer's loop runs for ever. Fix: receive once.
type crdInformer struct{ events chan string }

func (i *crdInformer) run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case e := <-i.events:
			log.Print(e)
		}
	}
}

func startDiscovery(ctx context.Context, inf *crdInformer) {
	stopper := make(chan struct{})
	go func() {
		for range ctx.Done() { // want `a context's Done channel is only closed, never sent on: a range over ctx.Done\(\) yields nothing .* the close \(line \d+\) never happens`
			close(stopper)
			return
		}
	}()
	go inf.run(stopper)
}

// The fix: one plain receive, then the close.
func startDiscoveryFixed(ctx context.Context, inf *crdInformer) {
	stopper := make(chan struct{})
	go func() {
		<-ctx.Done()
		close(stopper)
	}()
	go inf.run(stopper)
}

// Upstream: google/trillian#1407. A pass loop means to log an error only
// while its context is live and tests that with `_, ok := <-ctx.Done()`:
// ok is never true, and the receive parks the loop until the server's
// context ends. Fix: ctx.Err() == nil.
func passLoop(ctx context.Context, pass func() error) {
	for {
		if err := pass(); err != nil {
			if _, ok := <-ctx.Done(); ok { // want `this receive from ctx.Done\(\) never yields ok == true, it blocks until the close`
				log.Printf("pass failed: %v", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		default:
		}
	}
}

func passLoopFixed(ctx context.Context, pass func() error) {
	for {
		if err := pass(); err != nil && ctx.Err() == nil {
			log.Printf("pass failed: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		default:
		}
	}
}

// A variant: a private stop channel the package only closes, tested with
// `!ok` as if a live channel yielded a value, so the work after it never
// runs; and a range over it whose body would cancel.
type quitPump struct {
	mu   sync.Mutex
	quit chan struct{}
	jobs []func()
}

func newQuitPump() *quitPump { return &quitPump{quit: make(chan struct{})} }

func (p *quitPump) Close() { close(p.quit) }

func (p *quitPump) step() bool {
	if _, ok := <-p.quit; !ok { // want `nothing in this package sends on field quit of quitPump, it is only closed: this receive .* never yields ok == true`
		return false
	}
	p.mu.Lock()
	jobs := p.jobs
	p.jobs = nil
	p.mu.Unlock()
	for _, j := range jobs {
		j()
	}
	return true
}

func (p *quitPump) watch(cancel context.CancelFunc) {
	for range p.quit { // want `a range over field quit of quitPump yields nothing .* the call of cancel \(line \d+\) never happens`
		cancel()
	}
}

// Look-alikes that must stay silent: plain waits on Done, an empty range
// (a wait written as a loop), a range whose body only logs, a comma-ok
// receive in a select, and comma-ok receives on channels that carry values.
func waitDone(ctx context.Context) {
	<-ctx.Done()
	for range ctx.Done() {
	}
	for range ctx.Done() {
		log.Print("done")
	}
}

func pollDone(ctx context.Context, done chan struct{}) bool {
	select {
	case _, ok := <-ctx.Done():
		return !ok
	case _, ok := <-done:
		return ok
	default:
		return false
	}
}

func valueOk(work chan int, cancel func()) {
	go func() { work <- 1; close(work) }()
	if v, ok := <-work; ok {
		log.Print(v)
	}
	for range work {
		cancel()
	}
}

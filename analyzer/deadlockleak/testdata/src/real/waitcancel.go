package real

import (
	"context"
	"errors"
	"sync"
	"time"
)

// A Wait on a goroutine that only its context's Done ends, when the
// cancel of that context comes after the Wait.

// Variant 1: Start keeps the cancel in a field; Stop waits for the loop
// and only then cancels it.
type wcPoller struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
	poll   func()
}

func (p *wcPoller) loop(ctx context.Context) {
	defer p.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.poll()
		}
	}
}

func (p *wcPoller) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Add(1)
	go p.loop(ctx)
}

func (p *wcPoller) Stop() {
	p.wg.Wait() // want `this Wait waits for a goroutine \(started at line \d+\) that can only end when its context is done, and the context's cancel \(line \d+\) runs only after it: the Wait blocks forever \(its parent is context.Background\(\)\)`
	if p.cancel != nil {
		p.cancel()
	}
}

// Look-alike: Stop cancels first, then waits.
type wcPollerFixed struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

func (p *wcPollerFixed) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-ctx.Done()
	}()
}

func (p *wcPollerFixed) Stop() {
	p.cancel()
	p.wg.Wait()
}

// Variant 2: the cancel is deferred before the Wait, so the deferred
// Wait runs first; an inline loop on a local WaitGroup.
func wcConsume(parent context.Context, events <-chan string, handle func(string) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait() // want `this deferred Wait waits for a goroutine \(started at line \d+\) that can only end when its context is done, and the context's cancel \(line \d+\) is deferred before it, so it runs after it \(deferred calls run last in, first out\): the Wait blocks until the parent context ends`
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				_ = handle(e)
			}
		}
	}()
	return handle("start")
}

// Look-alike: the cancel is deferred after the Wait, so it runs first.
func wcConsumeFixed(parent context.Context, events <-chan string, handle func(string) error) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				_ = handle(e)
			}
		}
	}()
	return handle("start")
}

// Variant 3: a named heartbeat handed the WaitGroup, a plain Wait, and a
// deferred cancel (with a cause) that runs only at the return.
func wcHeartbeat(ctx context.Context, wg *sync.WaitGroup, beat func()) {
	defer wg.Done()
	<-ctx.Done()
	beat()
}

func wcWithHeartbeat(parent context.Context, beat func(), work func() error) error {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(errors.New("done"))
	var wg sync.WaitGroup
	wg.Add(1)
	go wcHeartbeat(ctx, &wg, beat)
	err := work()
	wg.Wait() // want `this Wait waits for a goroutine \(started at line \d+\) that can only end when its context is done, and the context's cancel \(line \d+\) is deferred, so it runs only after it`
	return err
}

// Look-alike: the same with the cancel called before the Wait.
func wcWithHeartbeatFixed(parent context.Context, beat func(), work func() error) error {
	ctx, cancel := context.WithCancelCause(parent)
	var wg sync.WaitGroup
	wg.Add(1)
	go wcHeartbeat(ctx, &wg, beat)
	err := work()
	cancel(err)
	wg.Wait()
	return err
}

// Look-alike: a timeout ends the context without the cancel.
func wcWithHeartbeatTimeout(parent context.Context, beat func(), work func() error) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go wcHeartbeat(ctx, &wg, beat)
	err := work()
	wg.Wait()
	return err
}

// Look-alike: the stored cancel is also called by another method, which
// may run first from another goroutine.
type wcFeed struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

func (f *wcFeed) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		<-ctx.Done()
	}()
}

// Interrupt ends the feed.
func (f *wcFeed) Interrupt() { f.cancel() }

// Drain waits for the feed, then releases its context.
func (f *wcFeed) Drain() {
	f.wg.Wait()
	f.cancel()
}

// Look-alike: the workers count jobs, not themselves: Done runs once per
// job inside the loop, so the Wait waits for the queued jobs and the
// cancel after it then stops the idle workers.
type wcPool struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	jobs   chan func()
}

func newWCPool(n int) *wcPool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &wcPool{ctx: ctx, cancel: cancel, jobs: make(chan func(), n)}
	for i := 0; i < n; i++ {
		go p.loop()
	}
	return p
}

func (p *wcPool) loop() {
	for {
		select {
		case job := <-p.jobs:
			job()
			p.wg.Done()
		case <-p.ctx.Done():
			return
		}
	}
}

// Submit queues job unless the queue is full.
func (p *wcPool) Submit(job func()) bool {
	p.wg.Add(1)
	select {
	case p.jobs <- job:
		return true
	default:
		p.wg.Done()
		return false
	}
}

// Close waits for the queued jobs, then stops the workers.
func (p *wcPool) Close() {
	p.wg.Wait()
	p.cancel()
}

// The same pool with a worker that counts itself (a deferred Done) is the
// bug: its Done runs only once the context ends, after the Wait.
type wcPool2 struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	jobs   chan func()
}

func newWCPool2(n int) *wcPool2 {
	ctx, cancel := context.WithCancel(context.Background())
	p := &wcPool2{ctx: ctx, cancel: cancel, jobs: make(chan func(), n)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.loop()
	}
	return p
}

func (p *wcPool2) loop() {
	defer p.wg.Done()
	for {
		select {
		case job := <-p.jobs:
			job()
		case <-p.ctx.Done():
			return
		}
	}
}

// Close waits for the workers before it stops them.
func (p *wcPool2) Close() {
	p.wg.Wait() // want `this Wait waits for a goroutine \(started at line \d+\) that can only end when its context is done, and the context.s cancel \(line \d+\) runs only after it`
	p.cancel()
}

package real

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Waits on a WaitGroup whose goroutine can only end when a context is
// done, and that context is never canceled (after
// sassoftware/event-provenance-registry#40, written three other ways).

// Variant 1: a helper starts a flusher on the caller's WaitGroup; the
// caller defers the Wait and returns early on an error.
type metricSample struct{ name string }

func startMetricFlusher(ctx context.Context, in <-chan metricSample, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done(): // want `this goroutine can only end when its context is done, and serveMetrics passes a context that is never canceled`
				return
			case s := <-in:
				_ = s
			}
		}
	}()
}

func serveMetrics(open func() error) error {
	in := make(chan metricSample, 8)
	ctx := context.TODO()
	var wg sync.WaitGroup
	defer wg.Wait() // want `this deferred Wait \(every return, early error returns too, runs it\) waits for a goroutine \(started at line \d+\) that can only end when its context is done, and that context is never canceled \(context.TODO\(\), at line \d+\)`
	startMetricFlusher(ctx, in, &wg)
	if err := open(); err != nil {
		return err
	}
	in <- metricSample{"up"}
	return nil
}

// Look-alike: the context is canceled by a cancel deferred after the
// Wait, so it runs first and the flusher ends.
func serveMetricsFixed(open func() error) error {
	in := make(chan metricSample, 8)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startMetricFlusher(ctx, in, &wg)
	if err := open(); err != nil {
		return err
	}
	in <- metricSample{"up"}
	return nil
}

// Variant 2: an inline watcher on a Background context the function makes
// itself, joined by a plain Wait.
func shutdownOnDone(stop func() error) error {
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done() // want `this goroutine can only end when its context is done, and shutdownOnDone passes a context that is never canceled`
		_ = stop()
	}()
	wg.Wait() // want `this Wait waits for a goroutine \(started at line \d+\) that can only end when its context is done, and that context is never canceled \(context.Background\(\), at line \d+\)`
	return nil
}

// Look-alike: the watcher's context has a deadline.
func shutdownOnDoneFixed(stop func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		_ = stop()
	}()
	wg.Wait()
	return nil
}

// Look-alike: the watcher can also leave through a channel the function
// closes before waiting.
func shutdownOnQuit(stop func() error) error {
	ctx := context.Background()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
		case <-quit:
		}
		_ = stop()
	}()
	close(quit)
	wg.Wait()
	return nil
}

// Variant 3: a method runs a named watcher with go, handing it the
// WaitGroup; one caller passes a value-only context made from
// context.Background(), the other a context it cancels.
type cfgWatcher struct {
	reload func() error
}

type reloadTraceKey struct{}

func (r *cfgWatcher) watch(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ctx.Done() // want `this goroutine can only end when its context is done, and reloadOnce passes a context that is never canceled`
	_ = r.reload()
}

func (r *cfgWatcher) start(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(1)
	go r.watch(ctx, wg)
}

func reloadOnce(r *cfgWatcher) error {
	var wg sync.WaitGroup
	r.start(context.WithValue(context.Background(), reloadTraceKey{}, "once"), &wg)
	if err := r.reload(); err != nil {
		wg.Wait() // want `this Wait waits for a goroutine`
		return err
	}
	return errors.New("not reloaded")
}

// Look-alike: the same starter, given a context this caller cancels
// before it waits.
func reloadTwice(r *cfgWatcher) error {
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	r.start(ctx, &wg)
	err := r.reload()
	cancel()
	wg.Wait()
	return err
}

// Variant 4: the WaitGroup is a field of the server, the loop a method
// started with go on the receiver.
type indexer struct {
	wg   sync.WaitGroup
	jobs chan string
}

func (x *indexer) loop(ctx context.Context) {
	defer x.wg.Done()
	for {
		select {
		case <-ctx.Done(): // want `this goroutine can only end when its context is done, and serve passes a context that is never canceled`
			return
		case j := <-x.jobs:
			_ = j
		}
	}
}

func (x *indexer) serve(listen func() error) error {
	ctx := context.Background()
	x.wg.Add(1)
	go x.loop(ctx)
	defer x.wg.Wait() // want `this deferred Wait \(every return, early error returns too, runs it\) waits for a goroutine`
	return listen()
}

// Look-alike: the loop's context is canceled before the deferred Wait.
func (x *indexer) serveFixed(listen func() error) error {
	ctx, cancel := context.WithCancel(context.Background())
	x.wg.Add(1)
	go x.loop(ctx)
	defer x.wg.Wait()
	defer cancel()
	return listen()
}

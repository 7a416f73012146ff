package real

import (
	"context"
	"log"
	"sync"
	"time"
)

// A deferred Wait in a function that expects panics (it re-raises them),
// on goroutines that stop only when the caller's stop channel or context
// ends (after kubernetes/kubernetes#93641, written three other ways).

// Variant 1: a small group type of the package, a named crash handler,
// and a context handed to the group's start method.
type pwGroup struct{ wg sync.WaitGroup }

func (g *pwGroup) StartWithContext(ctx context.Context, f func(context.Context)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f(ctx)
	}()
}

func (g *pwGroup) Wait() { g.wg.Wait() }

func pwCrash() {
	if r := recover(); r != nil {
		log.Printf("panic: %v", r)
		panic(r)
	}
}

func pwResync(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func pwServe(ctx context.Context, handle func()) {
	defer pwCrash()
	var g pwGroup
	defer g.Wait() // want `a panic in pwServe \(it expects them: a handler at line \d+ re-raises them\) runs this deferred Wait first, and the goroutines it waits for \(started at line \d+\) stop only when ctx, passed to pwServe, is closed or canceled`
	g.StartWithContext(ctx, pwResync)
	for ctx.Err() == nil {
		handle()
	}
}

// Look-alike: the deferred function re-raises a panic before it waits.
func pwServeFixed(ctx context.Context, handle func()) {
	defer pwCrash()
	var g pwGroup
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
		g.Wait()
	}()
	g.StartWithContext(ctx, pwResync)
	for ctx.Err() == nil {
		handle()
	}
}

// Look-alike: no handler re-raises panics; nothing says one is expected.
func pwServePlain(ctx context.Context, handle func()) {
	var g pwGroup
	defer g.Wait()
	g.StartWithContext(ctx, pwResync)
	for ctx.Err() == nil {
		handle()
	}
}

// Variant 2: a sync.WaitGroup, a goroutine capturing the stop channel,
// and an inline deferred handler that logs and re-panics.
func pwWatch(stop <-chan struct{}, events <-chan string, handle func(string)) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("watch crashed: %v", r)
			panic(r)
		}
	}()
	var wg sync.WaitGroup
	defer wg.Wait() // want `a panic in pwWatch .* stop only when stop, passed to pwWatch`
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-stop
		log.Print("stopping")
	}()
	for {
		select {
		case <-stop:
			return
		case e := <-events:
			handle(e)
		}
	}
}

// Look-alike: the goroutine stops on a channel the function closes
// itself, deferred after the Wait so that it runs first.
func pwWatchLocal(events <-chan string, handle func(string)) {
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
	}()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(quit)
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-quit
	}()
	for e := range events {
		handle(e)
	}
}

// Variant 3: a WaitGroup field, and work run through a helper that wraps
// each call in a re-panicking handler.
type pwLoop struct {
	wg   sync.WaitGroup
	step func()
}

func pwSafely(f func()) {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("step: %v", r)
			panic(r)
		}
	}()
	f()
}

func (l *pwLoop) Run(done chan struct{}) {
	defer l.wg.Wait() // want `a panic in Run .* stop only when done, passed to Run`
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		<-done
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		pwSafely(l.step)
	}
}

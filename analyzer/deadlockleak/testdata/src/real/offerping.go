package real

import (
	"context"
	"sync"
)

// Upstream: google/syzkaller#5955. The reproduction loop starts a runner
// per crash; each runner pings the loop's one-slot queue with a plain
// send when it finishes, while Enqueue offers its ping without waiting
// (a select with a default). Once the loop's context is done it returns
// from its select and waits, deferred, for the runners: the second
// finishing runner finds the slot full and blocks, and the Wait never
// returns. The offer does not change that: it only fills the slot. Fix:
// the runners offer their ping too.
type reproLoop struct {
	ping  chan struct{}
	mu    sync.Mutex
	queue []string
	run   func(context.Context, string)
}

func newReproLoop(run func(context.Context, string)) *reproLoop {
	return &reproLoop{ping: make(chan struct{}, 1), run: run}
}

func (r *reproLoop) Enqueue(title string) {
	r.mu.Lock()
	r.queue = append(r.queue, title)
	r.mu.Unlock()
	select {
	case r.ping <- struct{}{}:
	default:
	}
}

func (r *reproLoop) pop() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return "", false
	}
	t := r.queue[0]
	r.queue = r.queue[1:]
	return t, true
}

func (r *reproLoop) Loop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		title, ok := r.pop()
		for !ok {
			select {
			case <-r.ping:
				title, ok = r.pop()
			case <-ctx.Done():
				return
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ctx, title)
			r.ping <- struct{}{} // want `goroutines that Loop starts in a loop no count bounds \(line \d+\) each send once on field ping, made with room for 1`
		}()
	}
}

// The fix: the runners offer their ping as Enqueue does.
type reproLoopFixed struct {
	ping  chan struct{}
	mu    sync.Mutex
	queue []string
	run   func(context.Context, string)
}

func newReproLoopFixed(run func(context.Context, string)) *reproLoopFixed {
	return &reproLoopFixed{ping: make(chan struct{}, 1), run: run}
}

func (r *reproLoopFixed) Enqueue(title string) {
	r.mu.Lock()
	r.queue = append(r.queue, title)
	r.mu.Unlock()
	select {
	case r.ping <- struct{}{}:
	default:
	}
}

func (r *reproLoopFixed) pop() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 {
		return "", false
	}
	t := r.queue[0]
	r.queue = r.queue[1:]
	return t, true
}

func (r *reproLoopFixed) Loop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		title, ok := r.pop()
		for !ok {
			select {
			case <-r.ping:
				title, ok = r.pop()
			case <-ctx.Done():
				return
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ctx, title)
			select {
			case r.ping <- struct{}{}:
			default:
			}
		}()
	}
}

// Look-alike: the other producer sends in a blocking select on the
// context (it may wait for room, and gives up with the loop): that is
// another pattern, left alone here.
type reproLoopCtx struct {
	ping chan struct{}
	run  func(context.Context)
}

func newReproLoopCtx(run func(context.Context)) *reproLoopCtx {
	return &reproLoopCtx{ping: make(chan struct{}, 1), run: run}
}

func (r *reproLoopCtx) Poke(ctx context.Context) {
	select {
	case r.ping <- struct{}{}:
	case <-ctx.Done():
	}
}

func (r *reproLoopCtx) Loop(ctx context.Context, n int) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; i < 1; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ctx)
			r.ping <- struct{}{}
		}()
	}
	for {
		select {
		case <-r.ping:
		case <-ctx.Done():
			return
		}
	}
}

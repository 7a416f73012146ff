package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

const wrapSrc = `package p

import (
	"context"
	"sync"
)

type Workers struct {
	wg     sync.WaitGroup
	closed bool
	jobs   chan func()
}

// Submit starts job as a goroutine.
func (w *Workers) Submit(job func()) { go job() }

// Spawn hands job to the group's Go.
func (w *Workers) Spawn(job func()) { w.wg.Go(job) }

// safeGo starts f in a goroutine that recovers its panics.
func safeGo(ctx context.Context, f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				println(r)
			}
		}()
		f()
	}()
}

// goAll hands f on to safeGo.
func goAll(ctx context.Context, f func()) { safeGo(ctx, f) }

// withLock calls f once, under mu.
func withLock(mu *sync.Mutex, f func()) {
	mu.Lock()
	defer mu.Unlock()
	f()
}

// retry may call f several times.
func retry(n int, f func() error) error {
	var err error
	for range n {
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}

// maybe starts job only when open.
func (w *Workers) maybe(job func()) {
	if w.closed {
		return
	}
	go job()
}

// queue keeps job for a worker.
func (w *Workers) queue(job func()) { w.jobs <- job }

// fanout starts f n times.
func fanout(n int, f func()) {
	for range n {
		go f()
	}
}

// goSafe starts f, its only argument.
func goSafe(f func()) { go f() }

func fanned() int {
	ch := make(chan int)
	fanout(2, func() { ch <- 1 })
	return <-ch
}

func single() int {
	ch := make(chan int)
	goSafe(func() { ch <- 1 })
	return <-ch
}

func submitted(w *Workers) int {
	ch := make(chan int)
	w.Submit(func() { ch <- 1 })
	return <-ch
}

func spawned(w *Workers) int {
	ch := make(chan int)
	w.Spawn(func() { ch <- 1 })
	return <-ch
}

func recovered(ctx context.Context) int {
	ch := make(chan int)
	safeGo(ctx, func() {
		defer close(ch)
		ch <- 1
	})
	return <-ch
}

func handedOn(ctx context.Context) int {
	ch := make(chan int)
	goAll(ctx, func() { ch <- 1 })
	return <-ch
}

func locked(mu *sync.Mutex) int {
	ch := make(chan int, 1)
	withLock(mu, func() { ch <- 1 })
	return <-ch
}

func retried() int {
	ch := make(chan int, 1)
	retry(3, func() error { ch <- 1; return nil })
	return <-ch
}

func conditional(w *Workers) int {
	ch := make(chan int)
	w.maybe(func() { ch <- 1 })
	return <-ch
}

func queued(w *Workers) int {
	ch := make(chan int)
	w.queue(func() { ch <- 1 })
	return <-ch
}
`

// A literal handed to a helper of the package that starts its parameter
// as a goroutine (go job(), a group's Go, a recovering literal, another
// such helper) is a goroutine started at the call; one handed to a
// helper that calls it once is a call there. A helper that may call it
// several times, may not start it, or keeps it leaves the channel
// escaped.
func TestWrappers(t *testing.T) {
	pkg := buildMode(t, wrapSrc, false, 0)
	for _, name := range []string{"submitted", "spawned", "recovered", "handedOn", "single"} {
		ch := chanuse.Follow(makeIn(pkg.Func(name)))
		if ch.Escapes || len(ch.Nodes) != 2 {
			t.Errorf("%s: escapes %v, %d nodes", name, ch.Escapes, len(ch.Nodes))
			continue
		}
		n := ch.Nodes[1]
		if n.Start == nil || n.G != n || n.Go != nil || n.Call != nil || n.Callback || len(n.Ops) == 0 || n.Start.Parent() != pkg.Func(name) {
			t.Errorf("%s: start %v, go %v, call %v, callback %v, ops %v", name, n.Start, n.Go, n.Call, n.Callback, n.Ops)
		}
	}
	ch := chanuse.Follow(makeIn(pkg.Func("locked")))
	if ch.Escapes || len(ch.Nodes) != 2 {
		t.Fatalf("locked: escapes %v, %d nodes", ch.Escapes, len(ch.Nodes))
	}
	if n := ch.Nodes[1]; n.Call == nil || n.Start != nil || n.G != ch.Nodes[0] || len(n.Ops) != 1 {
		t.Errorf("locked: call %v, start %v, ops %v", n.Call, n.Start, n.Ops)
	}
	for _, name := range []string{"retried", "conditional", "queued", "fanned"} {
		if ch := chanuse.Follow(makeIn(pkg.Func(name))); !ch.Escapes {
			t.Errorf("%s: does not escape", name)
		}
		// FollowCallbacks keeps them callbacks, as before.
		if ch := chanuse.FollowCallbacks(makeIn(pkg.Func(name))); ch.Escapes || len(ch.Nodes) != 2 || !ch.Nodes[1].Callback {
			t.Errorf("%s: FollowCallbacks escapes %v, %d nodes", name, ch.Escapes, len(ch.Nodes))
		}
	}
}

package real

import (
	"context"
	"log"
	"time"
)

// Upstream: hashicorp/vault#5506. Each revocation attempt makes a context
// with a timeout and starts a goroutine that cancels it when the server
// shuts down (a quit channel) or the core's context ends, but not when
// the attempt's own context ends. The attempt cancels its context itself
// when done; the goroutine stays in its select until the node steps down,
// one per expired lease. Fix: the select also returns on the attempt's
// Done.
type revoker struct {
	quitCh chan struct{}
	revoke func(ctx context.Context, id string) error
}

func (r *revoker) expire(core context.Context, id string) {
	for attempt := 0; attempt < 6; attempt++ {
		attemptCtx, cancel := context.WithTimeout(core, time.Minute)
		go func() {
			select { // want `this goroutine forwards another context's end or a stop channel's close to the context made at line \d+ by calling its cancel, but waits for nothing else`
			case <-core.Done():
			case <-r.quitCh:
				cancel()
			}
		}()
		err := r.revoke(attemptCtx, id)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(time.Second << attempt)
	}
}

func (r *revoker) expireFixed(core context.Context, id string) {
	for attempt := 0; attempt < 6; attempt++ {
		attemptCtx, cancel := context.WithTimeout(core, time.Minute)
		go func() {
			select {
			case <-core.Done():
			case <-r.quitCh:
				cancel()
			case <-attemptCtx.Done():
			}
		}()
		err := r.revoke(attemptCtx, id)
		cancel()
		if err == nil {
			return
		}
	}
}

// A variant written another way: a named stop channel parameter and a
// second context, both forwarded from a for-select, the cancel deferred.
func forwardBoth(ctx, session context.Context, stop <-chan struct{}, do func(context.Context)) {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select { // want `this goroutine forwards another context's end or a stop channel's close to the context made at line \d+`
			case <-session.Done():
				cancel()
				return
			case <-stop:
				log.Print("stopping")
				cancel()
				return
			}
		}
	}()
	do(child)
}

// Look-alike: the watcher also ends with a context derived from the new
// one (a value added on top of it).
type nsKey struct{}

func forwardBothFixed(ctx, session context.Context, stop <-chan struct{}, do func(context.Context)) {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	scoped := context.WithValue(child, nsKey{}, "ns")
	go func() {
		select {
		case <-session.Done():
			cancel()
		case <-stop:
			cancel()
		case <-scoped.Done():
		}
	}()
	do(scoped)
}

// Look-alike: the function closes the stop channel it hands the watcher
// when it returns.
func forwardBothOwned(ctx, session context.Context, do func(context.Context)) {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-session.Done():
			cancel()
		case <-finished:
		}
	}()
	do(child)
}

// Look-alike: the other case is the worker's done channel, which the work
// the function calls closes when it finishes: the watcher ends with it.
type runner struct {
	stop chan struct{}
	done chan struct{}
}

func (r *runner) work(ctx context.Context) {
	defer close(r.done)
	<-ctx.Done()
}

func (r *runner) runOnce(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	go func() {
		select {
		case <-r.stop:
			cancel()
		case <-r.done:
		}
	}()
	r.work(ctx)
}

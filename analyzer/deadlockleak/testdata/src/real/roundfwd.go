package real

import (
	"context"
	"time"
)

// Upstream: kumahq/kuma#7348. Each tick makes a context and a goroutine
// that cancels it once stop closes; nothing else cancels it, so every
// tick leaves one more goroutine until the watchdog stops.
type tickWatchdog struct {
	newTicker func() *time.Ticker
	onTick    func(context.Context) error
}

func (w *tickWatchdog) Start(stop <-chan struct{}) {
	ticker := w.newTicker()
	defer ticker.Stop()
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-stop // want `this goroutine, started on every round of a loop, forwards a stop channel's close to the round's context \(made at line \d+\) and holds its only cancel`
			cancel()
		}()
		select {
		case <-ticker.C:
			w.onTick(ctx)
		case <-stop:
			return
		}
	}
}

// A range over jobs, each job's context forwarded from the server's.
func serveJobs(srv context.Context, jobs <-chan func(context.Context)) {
	for job := range jobs {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-srv.Done() // want `this goroutine, started on every round of a loop, forwards another context's end to the round's context`
			cancel()
		}()
		job(ctx)
	}
}

// The fix: the helper also returns on the round's context, which the
// round cancels when it ends.
func (w *tickWatchdog) StartFixed(stop <-chan struct{}) {
	ticker := w.newTicker()
	defer ticker.Stop()
	for {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		select {
		case <-ticker.C:
			w.onTick(ctx)
		case <-stop:
			cancel()
			return
		}
		cancel()
	}
}

// Look-alike: one context and one forwarder for the whole loop.
func (w *tickWatchdog) StartOnce(stop <-chan struct{}) {
	ticker := w.newTicker()
	defer ticker.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stop
		cancel()
	}()
	for {
		select {
		case <-ticker.C:
			w.onTick(ctx)
		case <-stop:
			return
		}
	}
}

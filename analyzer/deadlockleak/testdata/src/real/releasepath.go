package real

import (
	"context"
	"errors"
	"time"
)

// lib/pq#618, and the same bug spelled other ways (session 25, ctxvar):
// a function starts a goroutine that waits for the caller's context or
// for a release function it returns; a caller keeps the release but
// reaches a return without calling it or handing it on, so on that path
// the goroutine waits for the caller's context alone.

type pqConn struct {
	query  func(q string) ([]string, error)
	cancel func()
}

type pqRows struct {
	cols   []string
	finish func()
}

// watchCancel: the watcher reports a cancel to finish by a send on the
// local channel, which only the returned func takes.
func (cn *pqConn) watchCancel(ctx context.Context) func() {
	if done := ctx.Done(); done != nil {
		finished := make(chan struct{})
		go func() {
			select {
			case <-done:
				cn.cancel()
				finished <- struct{}{}
			case <-finished:
			}
		}()
		return func() {
			select {
			case <-finished:
			case finished <- struct{}{}:
			}
		}
	}
	return nil
}

func (cn *pqConn) QueryContext(ctx context.Context, q string) (*pqRows, error) {
	finish := cn.watchCancel(ctx) // want `QueryContext keeps the function watchCancel returns to release its goroutine \(line \d+\), but the path to the return at line \d+ neither calls it nor hands it on`
	cols, err := cn.query(q)
	if err != nil {
		return nil, err
	}
	return &pqRows{cols: cols, finish: finish}, nil
}

// The fix: finish on the error path too.
func (cn *pqConn) QueryContextFixed(ctx context.Context, q string) (*pqRows, error) {
	finish := cn.watchCancel(ctx)
	cols, err := cn.query(q)
	if err != nil {
		finish()
		return nil, err
	}
	return &pqRows{cols: cols, finish: finish}, nil
}

// Look-alike: the release tested for nil, then deferred.
func (cn *pqConn) ExecContext(ctx context.Context, q string) error {
	if finish := cn.watchCancel(ctx); finish != nil {
		defer finish()
	}
	_, err := cn.query(q)
	return err
}

// A variant: the release closes the local channel; the caller skips it
// on a continue.
type rbus struct{ events chan string }

func (b *rbus) subscribe(ctx context.Context, out chan<- string) (unsubscribe func()) {
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-quit:
				return
			case e := <-b.events:
				select {
				case out <- e:
				default:
				}
			}
		}
	}()
	return func() { close(quit) }
}

func (b *rbus) poll(ctx context.Context, rounds int, skip func(int) bool) int {
	got := 0
	out := make(chan string, 1)
	for i := 0; i < rounds; i++ {
		unsub := b.subscribe(ctx, out) // want `poll keeps the function subscribe returns to release its goroutine`
		if skip(i) {
			continue
		}
		select {
		case <-out:
			got++
		default:
		}
		unsub()
	}
	return got
}

// The fix.
func (b *rbus) pollFixed(ctx context.Context, rounds int, skip func(int) bool) int {
	got := 0
	out := make(chan string, 1)
	for i := 0; i < rounds; i++ {
		unsub := b.subscribe(ctx, out)
		if skip(i) {
			unsub()
			continue
		}
		select {
		case <-out:
			got++
		default:
		}
		unsub()
	}
	return got
}

// A variant: a context's cancel, returned with the context, called only
// when the handler fails.
func watchClosed(parent context.Context, closed <-chan struct{}) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func serveClosing(parent context.Context, closed <-chan struct{}, h func(context.Context) error) error {
	ctx, cancel := watchClosed(parent, closed) // want `serveClosing keeps the function watchClosed returns to release its goroutine`
	if err := h(ctx); err != nil {
		cancel()
		return err
	}
	return nil
}

// The fix.
func serveClosingFixed(parent context.Context, closed <-chan struct{}, h func(context.Context) error) error {
	ctx, cancel := watchClosed(parent, closed)
	defer cancel()
	return h(ctx)
}

// Look-alike: the release is nil when the start fails, and the caller
// returns on exactly that error: nothing was started.
var errNoWatch = errors.New("no watch")

func startWatch(ctx context.Context, ok bool) (func(), error) {
	if !ok {
		return nil, errNoWatch
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
	}()
	return func() { close(stop) }, nil
}

func useWatch(ctx context.Context, ok bool, work func() error) error {
	stop, err := startWatch(ctx, ok)
	if err != nil {
		return err
	}
	defer stop()
	return work()
}

// Look-alike: the release is handed to a deferred closure at once.
func useWatchClosure(ctx context.Context, work func() error) error {
	stop := newStopper(ctx)
	defer func() { stop() }()
	if err := work(); err != nil {
		return err
	}
	return nil
}

func newStopper(ctx context.Context) func() {
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
	}()
	return func() { close(stop) }
}

// Look-alike: the path that skips the release panics.
func mustWatch(ctx context.Context, work func() error) {
	stop := newStopper(ctx)
	if err := work(); err != nil {
		panic(err)
	}
	stop()
}

// Look-alike: the function also closes the channel on a timer, so the
// goroutine ends whatever the caller does.
func boundedStopper(ctx context.Context) func() {
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
	}()
	time.AfterFunc(time.Minute, func() { close(stop) })
	return func() {}
}

func useBounded(ctx context.Context, work func() error) error {
	stop := boundedStopper(ctx)
	if err := work(); err != nil {
		return err
	}
	stop()
	return nil
}

// Look-alike: the goroutine also sends on the caller's channel (a
// worker, not a waiter): whether it ends depends on that reader, which
// the rule does not follow.
func feeder(ctx context.Context, out chan<- int) func() {
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-stop:
				return
			case out <- i:
			}
		}
	}()
	return func() { close(stop) }
}

func useFeeder(ctx context.Context, out chan<- int, work func() error) error {
	stop := feeder(ctx, out)
	if err := work(); err != nil {
		return err
	}
	stop()
	return nil
}

// Look-alikes: the path that drops the release is taken only once the
// context the goroutine also waits for is done, so it has ended.
func useStopperCtxErr(ctx context.Context, work func() error) error {
	stop := newStopper(ctx)
	if err := work(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		stop()
		return err
	}
	stop()
	return nil
}

func useStopperSelect(ctx context.Context, results <-chan int) (int, error) {
	stop := newStopper(ctx)
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case r := <-results:
		stop()
		return r, nil
	}
}

// But a path that drops it when the context is still alive is reported.
func useStopperAlive(ctx context.Context, work func() error) error {
	stop := newStopper(ctx) // want `useStopperAlive keeps the function newStopper returns to release its goroutine`
	if err := work(); err != nil {
		if ctx.Err() == nil {
			return err
		}
		stop()
		return err
	}
	stop()
	return nil
}

package real

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Upstream: raeperd/kickstart.go#66. The stop function of
// signal.NotifyContext runs only on the signal branch; a server that fails
// returns without it, and the goroutine NotifyContext started keeps
// waiting for a signal.
func notifyRun(ctx context.Context, serve func() error) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM) // want `notifyRun calls the stop function of signal.NotifyContext only on some paths \(line \d+\): when it returns at line \d+ without it`
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		stop()
	}
	// The name is reused for a deadline's cancel, deferred.
	ctx, stop = context.WithTimeout(context.Background(), time.Second)
	defer stop()
	return nil
}

// An early return before the loop, the stop called at the end.
func notifyEarly(ctx context.Context, ready func() bool, loop func(context.Context)) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt) // want `notifyEarly calls the stop function of signal.NotifyContext only on some paths`
	if !ready() {
		return
	}
	loop(ctx)
	stop()
}

// The fix: the stop deferred right after the call.
func notifyRunFixed(ctx context.Context, serve func() error) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return nil
}

// Look-alikes: the stop called on every path, handed to the caller, kept
// by a goroutine, or the function is main.
func notifyEveryPath(ctx context.Context, ready func() bool) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	if !ready() {
		stop()
		return errors.New("not ready")
	}
	<-ctx.Done()
	stop()
	return nil
}

func notifyHanded(ctx context.Context) (context.Context, func()) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	if ctx.Err() != nil {
		return ctx, stop
	}
	return ctx, stop
}

func notifyByGoroutine(ctx context.Context, ready func() bool) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	go func() {
		<-ctx.Done()
		stop()
	}()
	if !ready() {
		return
	}
}

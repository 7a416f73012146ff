// Package bug is a held-out kernel (issue 14): a timer callback that
// builds a never-cancelled context on which a library starts a goroutine
// waiting for cancellation.
//
// Upstream: keybase/kbfs#1437 ("libgit: prevent goroutine leaks by canceling contexts")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: RPCHandler.scheduleCleaning schedules, with time.AfterFunc, a
// cleanup that calls getHandleAndConfig with context.Background().
// getHandleAndConfig eventually calls libgit.Init, which wraps the
// context with libkbfs.NewContextWithCancellationDelayer; that starts a
// goroutine which only returns when the parent context is done or the
// delayer is cleaned up. Background is never done and the cleanup path
// never cleans the delayer up, so every scheduled cleaning leaks one
// goroutine. The delayer is our reduction of libkbfs's.
//
// Fix: the callback derives ctx with context.WithCancel and defers the
// cancel.
package bug

import (
	"context"
	"errors"
	"time"
)

const minDeletedAgeForCleaning = time.Hour

type ctxDelayerKey struct{}

type cancellationDelayer struct {
	delay time.Duration
	done  chan struct{}
}

// NewContextWithCancellationDelayer returns a context whose cancellation
// is delayed after the parent's, so that in-flight work can finish.
func NewContextWithCancellationDelayer(ctx context.Context) (context.Context, error) {
	if ctx.Value(ctxDelayerKey{}) != nil {
		return nil, errors.New("context already has a cancellation delayer")
	}
	c := &cancellationDelayer{delay: time.Second, done: make(chan struct{})}
	newCtx, cancel := context.WithCancel(context.WithValue(ctx, ctxDelayerKey{}, c))
	go func() {
		select {
		case <-ctx.Done(): // heldout:site
			time.Sleep(c.delay)
		case <-c.done:
		}
		cancel()
	}()
	return newCtx, nil
}

// Folder names a top-level folder.
type Folder struct{ Name string }

type gitConfig struct{ tempDir string }

type RPCHandler struct {
	logf    func(format string, args ...any)
	cleaned func(ctx context.Context, folder Folder, cfg *gitConfig) error
}

// initLibgit is libgit.Init, reduced to the context it builds.
func initLibgit(ctx context.Context) (context.Context, *gitConfig, error) {
	ctx, err := NewContextWithCancellationDelayer(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ctx, &gitConfig{tempDir: "/tmp/kbfsgit"}, nil
}

func (rh *RPCHandler) getHandleAndConfig(ctx context.Context, folder Folder) (context.Context, *gitConfig, string, error) {
	ctx, cfg, err := initLibgit(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	return ctx, cfg, cfg.tempDir, nil
}

func (rh *RPCHandler) scheduleCleaning(folder Folder) {
	time.AfterFunc(minDeletedAgeForCleaning+1*time.Second, func() {
		ctx, cfg, _, err := rh.getHandleAndConfig(
			context.Background(), folder) // heldout:site
		if err != nil {
			rh.logf("Couldn't init for scheduled cleaning of %s: %+v", folder.Name, err)
			return
		}
		if err := rh.cleaned(ctx, folder, cfg); err != nil {
			rh.logf("Couldn't clean %s: %+v", folder.Name, err)
		}
	})
}

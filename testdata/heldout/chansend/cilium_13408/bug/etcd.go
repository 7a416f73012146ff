// Package bug is a held-out kernel (issue 14): a send on a channel a helper
// returned, whose only receiver has returned on its timeout.
//
// Upstream: cilium/cilium#13408 ("contexthelpers: Fix deadlock when nobody recvs on success channel")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: NewConditionalTimeoutContext returns a context and a success channel
// and starts a goroutine that cancels the context unless success arrives in
// time. When the timer fires first, that goroutine cancels and returns;
// renewLockSession then blocks forever on `sessionSuccess <- true`
// ("goroutine 742 [chan send, 547 minutes]").
//
// Fix: the success channel has a buffer of one.
package bug

import (
	"context"
	"time"
)

// NewConditionalTimeoutContext returns a context that is cancelled after
// timeout unless true is sent on the returned channel first.
func NewConditionalTimeoutContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc, chan bool) {
	ch := make(chan bool)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-ctx.Done():
		case success := <-ch:
			if !success {
				cancel()
			}
		case <-time.After(timeout): // heldout:site
			cancel()
		}
	}()
	return ctx, cancel, ch
}

type session struct{ lease int64 }

type etcdClient struct {
	lockSession *session
	lockTTL     time.Duration
}

func (e *etcdClient) newSession(ctx context.Context) (*session, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(10 * time.Millisecond):
		return &session{lease: 1}, nil
	}
}

func (e *etcdClient) renewLockSession(ctx context.Context) error {
	timeoutCtx, timeoutCancel, sessionSuccess := NewConditionalTimeoutContext(ctx, 2*e.lockTTL)
	defer timeoutCancel()

	newSession, err := e.newSession(timeoutCtx)
	if err != nil {
		return err
	}
	sessionSuccess <- true // heldout:site
	e.lockSession = newSession
	return nil
}

// Package fixed is the fixed version of chansend/cilium_13408: the success
// channel has a buffer of one, so the send never waits.
package fixed

import (
	"context"
	"time"
)

// NewConditionalTimeoutContext returns a context that is cancelled after
// timeout unless true is sent on the returned channel first.
func NewConditionalTimeoutContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc, chan bool) {
	ch := make(chan bool, 1)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-ctx.Done():
		case success := <-ch:
			if !success {
				cancel()
			}
		case <-time.After(timeout):
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
	sessionSuccess <- true
	e.lockSession = newSession
	return nil
}

package real

import (
	"context"
	"time"
)

// hashicorp/vault#5506 with the forwarder a named function (session 25,
// ctxvar): each attempt derives revokeCtx and starts forwardQuit with the
// parent, the manager's quit channel and the cancel; the attempt cancels
// revokeCtx itself, and forwardQuit then waits until the manager quits
// or the parent ends.
type fwdManager struct {
	quitCh chan struct{}
	revoke func(ctx context.Context, id string) error
}

func forwardQuit(parent context.Context, quit <-chan struct{}, cancel context.CancelFunc) {
	select { // want `this goroutine forwards another context's end or a stop channel's close to the context made at line \d+ by calling its cancel`
	case <-parent.Done():
	case <-quit:
		cancel()
	}
}

func (m *fwdManager) expire(ctx context.Context, id string) {
	for attempt := 0; attempt < 6; attempt++ {
		revokeCtx, cancel := context.WithTimeout(ctx, time.Minute)
		go forwardQuit(ctx, m.quitCh, cancel)
		err := m.revoke(revokeCtx, id)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(time.Second << attempt)
	}
}

// The fix: the forwarder waits on the new context, which the attempt's
// cancel ends.
func (m *fwdManager) expireFixed(ctx context.Context, id string) {
	for attempt := 0; attempt < 6; attempt++ {
		revokeCtx, cancel := context.WithTimeout(ctx, time.Minute)
		go forwardQuitFixed(revokeCtx, m.quitCh, cancel)
		err := m.revoke(revokeCtx, id)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(time.Second << attempt)
	}
}

func forwardQuitFixed(ctx context.Context, quit <-chan struct{}, cancel context.CancelFunc) {
	select {
	case <-ctx.Done():
	case <-quit:
		cancel()
	}
}

// Look-alike: the forwarder is the cancel's only user; the new context
// ends when the forwarder cancels it or with the parent, which also ends
// the forwarder.
func (m *fwdManager) watchOnly(ctx context.Context) context.Context {
	newCtx, cancel := context.WithCancel(ctx)
	go forwardQuitOnly(ctx, m.quitCh, cancel)
	return newCtx
}

func forwardQuitOnly(parent context.Context, quit <-chan struct{}, cancel context.CancelFunc) {
	select {
	case <-parent.Done():
	case <-quit:
	}
	cancel()
}

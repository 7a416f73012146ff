package aio_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

func TestCancelAtAwaitPointRunsDefers(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			defer func() { log = append(log, "deferred") }()
			log = append(log, "sleeping")
			err := aio.Sleep(t, time.Hour)
			log = append(log, fmt.Sprintf("woke: %v", err))
			return 0, err
		}))
		if err := aio.Sleep(t, time.Second); err != nil {
			return err
		}
		if !h.Cancel() {
			return errors.New("Cancel of a sleeping task returned false")
		}
		_, err := aio.Await(t, h)
		if !errors.Is(err, aio.ErrCancelled) || !errors.Is(err, context.Canceled) {
			return fmt.Errorf("awaiting the cancelled task: %v; want ErrCancelled", err)
		}
		if !h.Cancelled() || !h.Done() {
			return errors.New("task not marked cancelled")
		}
		if t.Loop().Now() != time.Unix(1, 0) {
			return fmt.Errorf("cancelled at %v; want at once after 1s", t.Loop().Now())
		}
		return nil
	})
	if got := strings.Join(log, ", "); got != "sleeping, woke: aio: cancelled, deferred" {
		t.Fatalf("log %q", got)
	}
}

func TestCancelSwallowedTaskCarriesOn(t *testing.T) {
	got, err := run(t, aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (string, error) {
			err := aio.Sleep(t, time.Hour)
			if !errors.Is(err, aio.ErrCancelled) {
				return "", fmt.Errorf("sleep: %v", err)
			}
			if t.Cancelling() != 1 {
				return "", fmt.Errorf("Cancelling = %d; want 1", t.Cancelling())
			}
			t.Uncancel()
			// Carry on: the next await is not cancelled.
			if err := aio.Sleep(t, time.Second); err != nil {
				return "", err
			}
			return "carried on", nil
		}))
		aio.Sleep(t, 0)
		h.Cancel()
		return aio.Await(t, h)
	}))
	if got != "carried on" || err != nil {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestCancelDoneTaskIsNoop(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 5, nil }))
		if v, err := aio.Await(t, h); v != 5 || err != nil {
			return fmt.Errorf("await: %v %v", v, err)
		}
		if h.Cancel() {
			return errors.New("Cancel of a done task returned true")
		}
		if v, err := h.Result(); v != 5 || err != nil || h.Cancelled() {
			return fmt.Errorf("after Cancel: %v %v cancelled=%v", v, err, h.Cancelled())
		}
		return nil
	})
}

func TestCancelReachesAwaitedChildren(t *testing.T) {
	var log []string
	child := aio.Async(func(t *aio.Task) (int, error) {
		err := aio.Sleep(t, time.Hour)
		log = append(log, "child: "+err.Error())
		return 0, err
	})
	check(t, func(t *aio.Task) error {
		parent := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			c := aio.CreateTask(t, child)
			_, err := aio.Await(t, c)
			log = append(log, fmt.Sprintf("parent: %v (child cancelled: %v)", err, c.Cancelled()))
			return 0, err
		}))
		aio.Sleep(t, time.Second)
		parent.Cancel()
		_, err := aio.Await(t, parent)
		if !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("parent: %v", err)
		}
		return nil
	})
	if got := strings.Join(log, "; "); got != "child: aio: cancelled; parent: aio: cancelled (child cancelled: true)" {
		t.Fatalf("log %q", got)
	}
}

func TestCancelBeforeStartSkipsBody(t *testing.T) {
	ran := false
	_, err := run(t, aio.Async(func(t *aio.Task) (int, error) {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { ran = true; return 1, nil }))
		h.Cancel()
		_, err := aio.Await(t, h)
		if !errors.Is(err, aio.ErrCancelled) {
			return 0, fmt.Errorf("await: %v", err)
		}
		return 0, nil
	}))
	if err != nil || ran {
		t.Fatalf("err %v, body ran: %v", err, ran)
	}
}

func TestCancelSelfDeliveredAtNextAwait(t *testing.T) {
	var h *aio.Handle[int]
	check(t, func(t *aio.Task) error {
		h = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			h.Cancel() // a task cancelling itself: the next await gets it
			ctx := t.Context()
			if context.Cause(ctx) != aio.ErrCancelled {
				return 0, fmt.Errorf("context cause %v", context.Cause(ctx))
			}
			err := aio.Sleep(t, time.Hour)
			return 0, err
		}))
		_, err := aio.Await(t, h)
		if !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("await: %v", err)
		}
		if t.Loop().Now() != time.Unix(0, 0) {
			return errors.New("the sleep was not interrupted")
		}
		return nil
	})
}

func TestTaskReturningWhileCancelPendingIsCancelled(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var h *aio.Handle[int]
		h = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			h.Cancel()
			return 1, nil // returns before any await: the task ends cancelled
		}))
		_, err := aio.Await(t, h)
		if !errors.Is(err, aio.ErrCancelled) || !h.Cancelled() {
			return fmt.Errorf("await: %v", err)
		}
		return nil
	})
}

func TestContextDoneWithTask(t *testing.T) {
	var ctx context.Context
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			ctx = t.Context()
			return 0, nil
		}))
		aio.Await(t, h)
		return nil
	})
	select {
	case <-ctx.Done():
	default:
		t.Fatal("context of a finished task not done")
	}
	if context.Cause(ctx) != context.Canceled {
		t.Fatalf("cause %v", context.Cause(ctx))
	}
}

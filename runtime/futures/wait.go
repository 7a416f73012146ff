package futures

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// Waitable is a future as Wait and AsCompleted see it, whatever its result
// type: *Future[T] implements it.
type Waitable interface {
	Ready() <-chan struct{}
	Done() bool
	// failed reports whether the future finished with an error (a
	// cancelled future has not failed).
	failed() bool
	// notify arranges for fn to be called once the future is done.
	notify(fn func())
}

func (f *Future[T]) failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state == finished && f.err != nil
}

func (f *Future[T]) notify(fn func()) { f.AddDoneCallback(func(*Future[T]) { fn() }) }

// ReturnWhen says when Wait returns.
type ReturnWhen int

const (
	AllCompleted   ReturnWhen = iota // when every future is done
	FirstCompleted                   // when any future is done
	FirstException                   // when any future fails, or else when all are done
)

// Wait waits for the futures until the condition when holds or ctx is
// done, and returns those done and those not done, each in the order given
// (Python's concurrent.futures.wait; its timeout is ctx's deadline, and
// like Python, Wait does not fail when time runs out).
func Wait[F Waitable](ctx context.Context, fs []F, when ReturnWhen) (done, notDone []F) {
	changed := make(chan struct{}, len(fs))
	for _, f := range fs {
		if !f.Done() {
			f.notify(func() { changed <- struct{}{} })
		}
	}
	for {
		done, notDone = done[:0], notDone[:0]
		failed := false
		for _, f := range fs {
			if f.Done() {
				done = append(done, f)
				failed = failed || f.failed()
			} else {
				notDone = append(notDone, f)
			}
		}
		switch {
		case len(notDone) == 0,
			when == FirstCompleted && len(done) > 0,
			when == FirstException && failed:
			return done, notDone
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return done, notDone
		}
	}
}

// AsCompleted yields the futures as they complete, finished or cancelled,
// those already done first (Python's concurrent.futures.as_completed). A
// future given twice is yielded once. If ctx is done before every future
// is, it yields the futures already done, then a *TimeoutError counting
// those that are not (for a deadline; it matches ErrTimeout) or ctx's
// error, and stops.
func AsCompleted[F Waitable](ctx context.Context, fs []F) iter.Seq2[F, error] {
	return func(yield func(F, error) bool) {
		seen := map[Waitable]bool{}
		var pending []F
		for _, f := range fs {
			if !seen[f] {
				seen[f] = true
				pending = append(pending, f)
			}
		}
		completed := make(chan int, len(pending))
		for i, f := range pending {
			f.notify(func() { completed <- i })
		}
		yielded := 0
		for yielded < len(pending) {
			select {
			case i := <-completed:
				if !yield(pending[i], nil) {
					return
				}
			case <-ctx.Done():
				// As Python does, yield what is done before giving up.
				for done := false; !done; {
					select {
					case i := <-completed:
						if !yield(pending[i], nil) {
							return
						}
						yielded++
					default:
						done = true
					}
				}
				if yielded == len(pending) {
					return
				}
				var zero F
				err := ctx.Err()
				if err == context.DeadlineExceeded {
					err = &TimeoutError{Unfinished: len(pending) - yielded, Total: len(pending)}
				}
				yield(zero, err)
				return
			}
			yielded++
		}
	}
}

// TimeoutError is the error AsCompleted yields when its context's deadline
// passes before every future is done, with the count Python's message
// gives. errors.Is(err, ErrTimeout) is true, and so is every match of
// ErrTimeout (aio.ErrTimeout, context.DeadlineExceeded).
type TimeoutError struct {
	Unfinished int // the futures not done
	Total      int // the futures given, each counted once
}

// Error says how many futures are unfinished: "futures: timed out: 1 (of
// 3) futures unfinished".
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("futures: timed out: %d (of %d) futures unfinished", e.Unfinished, e.Total)
}

// Is reports whether ErrTimeout matches target.
func (e *TimeoutError) Is(target error) bool { return errors.Is(ErrTimeout, target) }

func timeoutErr(err error) error {
	if err == context.DeadlineExceeded {
		return ErrTimeout
	}
	return err
}

// Map runs fn on each item on ex and yields the results in the order of the
// items, like Python's executor.map: every item is submitted at once and
// the results are waited for one by one as the loop asks for them. An item
// whose fn fails yields its error, and the iteration stops there, as
// Python's map raises; so does ctx running out (ErrTimeout for a deadline).
// When the iteration stops early, the items not yet started are cancelled.
func Map[A, T any](ctx context.Context, ex Executor, fn func(ctx context.Context, item A) (T, error), items iter.Seq[A]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var fs []*Future[T]
		defer func() {
			for _, f := range fs {
				f.Cancel()
			}
		}()
		for item := range items {
			f, err := Submit(ex, func(ctx context.Context) (T, error) { return fn(ctx, item) })
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			fs = append(fs, f)
		}
		for _, f := range fs {
			v, err := f.Result(ctx)
			if err != nil {
				yield(v, timeoutErr(err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

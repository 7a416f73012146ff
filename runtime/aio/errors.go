package aio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/internal/errkind"
)

var (
	// ErrCancelled is the error of a cancelled task or future (Python's
	// asyncio.CancelledError). A task receives it at the await point where
	// it was suspended when it was cancelled. errors.Is(ErrCancelled,
	// context.Canceled) is true, and so is errors.Is(ErrCancelled,
	// futures.ErrCancelled), either way round.
	ErrCancelled error = errkind.New(errkind.Cancelled, "aio: cancelled")

	// ErrTimeout is returned by WaitFor, Timeout and TimeoutAt when their
	// time runs out (Python's TimeoutError). errors.Is(ErrTimeout,
	// context.DeadlineExceeded) is true, and so is errors.Is(ErrTimeout,
	// futures.ErrTimeout), either way round.
	ErrTimeout error = errkind.New(errkind.Timeout, "aio: timed out")

	// ErrLoopRunning is returned when a loop is run, or closed, while a
	// loop is already running: from inside one of its tasks or callbacks,
	// or from another goroutine while it runs.
	ErrLoopRunning = errors.New("aio: event loop is already running")

	// ErrLoopClosed is returned when a closed loop is used.
	ErrLoopClosed = errors.New("aio: event loop is closed")

	// ErrLoopStopped is returned by RunUntilComplete when Stop ends the
	// loop before the awaited future is done.
	ErrLoopStopped = errors.New("aio: event loop stopped before the future completed")

	// ErrInvalidState reports an operation that the state of a future does
	// not allow: reading the result of a pending future, or setting the
	// result of a done one (Python's InvalidStateError).
	ErrInvalidState = errors.New("aio: invalid state")

	// ErrDifferentLoop is returned by an await of a future or task that
	// belongs to another loop.
	ErrDifferentLoop = errors.New("aio: future belongs to a different loop")

	// ErrCoroutineReused is returned by an await of a coroutine object that
	// was already awaited or scheduled: like Python's, a coroutine runs once.
	ErrCoroutineReused = errors.New("aio: cannot reuse already awaited coroutine")

	// ErrGroupDone is the error of a task created in a TaskGroup that has
	// finished or is shutting down after a failure.
	ErrGroupDone = errors.New("aio: task group is finished")

	// ErrQueueEmpty is returned by GetNowait on an empty queue.
	ErrQueueEmpty = errors.New("aio: queue is empty")

	// ErrQueueFull is returned by PutNowait on a full queue.
	ErrQueueFull = errors.New("aio: queue is full")

	// ErrDeadlock is matched (errors.Is) by the *DeadlockError returned by
	// an await that can never finish.
	ErrDeadlock = errors.New("aio: deadlock")
)

// PanicError is the error of a task whose body panicked; the loop carries
// on. It unwraps to the panic value when that is an error.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the task's stack when it panicked
}

// Error describes the panic.
func (e *PanicError) Error() string { return fmt.Sprintf("aio: task panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// DeadlockError reports an await that would never finish because the
// tasks involved wait on each other; Python would hang instead. The task
// whose await would close the cycle gets the error and is not suspended.
type DeadlockError struct {
	Cycle []string // the tasks in the cycle, starting with the waiter
}

// Error names the tasks of the cycle.
func (e *DeadlockError) Error() string {
	if len(e.Cycle) == 1 {
		return fmt.Sprintf("aio: deadlock: task %q awaits itself", e.Cycle[0])
	}
	return fmt.Sprintf("aio: deadlock: tasks await each other: %s -> %s", strings.Join(e.Cycle, " -> "), e.Cycle[0])
}

// Is makes errors.Is(err, ErrDeadlock) true.
func (e *DeadlockError) Is(target error) bool { return target == ErrDeadlock }

// isCancel reports whether err means cancellation.
func isCancel(err error) bool { return err == ErrCancelled || errors.Is(err, ErrCancelled) }

package aio

import (
	"errors"
	"time"
)

// Scopes as resumable operations: a Timeout (or TimeoutAt) block and a
// WithTaskGroup block, written once for both kinds of body, as the
// operations of resume.go are. A block is entered, its body runs (the
// callback of the direct-mode function, or, in a body lowered by the
// asyncgo rewriter, the callback's statements inlined into the machine,
// where they may suspend), and it is exited with the body's error:
//
//	op.Start(t, ...)        enters the block; op.Scope() or op.Group() is
//	                        the callback's parameter
//	... the body ...        its returns set the body's error
//	op.Exit(t, err)         begins the exit; a TaskGroupBlock then waits
//	Step(t, thrown)         for its tasks (a resume point), a
//	                        TimeoutBlock never suspends
//	op.Result()             the direct-mode function's result
//
// A panic, a runtime.Goexit or the unwinding of Loop.Close that leaves the
// body instead calls op.Stop(v), which ends the block without waiting, as
// the direct-mode functions' deferred calls do (a lowered body registers
// Stop with its Frame, as it does an iterator's stop, so that it runs
// before the body's own deferred calls, innermost block first). Exit and
// Stop each end the block: once one ran, Stop does nothing.

// TimeoutBlock is a Timeout or TimeoutAt block as a resumable operation
// (see above): the direct-mode functions drive it, and the rewriter
// lowers the blocks of an async body onto it.
type TimeoutBlock struct {
	s   *TimeoutScope
	err error
}

// Start enters a Timeout block of t with a deadline d from now.
func (op *TimeoutBlock) Start(t *Task, d time.Duration) {
	op.StartAt(t, t.loop.Now().Add(d))
}

// StartAt enters a TimeoutAt block of t with the deadline when (the zero
// time: none).
func (op *TimeoutBlock) StartAt(t *Task, when time.Time) {
	op.s, op.err = enterTimeout(t, when), nil
}

// Scope is the block's TimeoutScope, the callback's parameter.
func (op *TimeoutBlock) Scope() *TimeoutScope { return op.s }

// Exit ends the block with the body's error err (Python's __aexit__): the
// deadline is disarmed and, if it expired and cancelled the task, that
// cancellation is withdrawn and, when it is what ended the body, the
// result is ErrTimeout.
func (op *TimeoutBlock) Exit(t *Task, err error) {
	s := op.s
	op.s = nil
	if s != nil && !s.exited {
		err = s.exit(err)
	}
	op.err = err
}

// Step implements the resume point of the exit: a timeout's exit never
// suspends.
func (op *TimeoutBlock) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	return nil, false
}

// Stop ends the block left by a panic, a Goexit or the unwinding of
// Loop.Close (v is the panic value, nil for a Goexit): the deadline is
// disarmed and an expired one's cancellation withdrawn, as Python's
// __aexit__ does for an exception other than a cancellation; the panic
// goes on.
func (op *TimeoutBlock) Stop(v any) {
	s := op.s
	op.s = nil
	if s != nil && !s.exited {
		s.exit(nil)
	}
}

// Result returns the block's error and forgets it.
func (op *TimeoutBlock) Result() error {
	err := op.err
	op.err = nil
	return err
}

// TaskGroupBlock is a WithTaskGroup block as a resumable operation (see
// above): its exit waits for the group's tasks, a resume point.
type TaskGroupBlock struct {
	g         *TaskGroup
	bodyErr   error
	cancelled error
	sw        signalWait // the wait for the group's waiter, while exiting
	waiting   bool
	err       error
}

// Start enters a WithTaskGroup block of t: a new, empty group.
func (op *TaskGroupBlock) Start(t *Task) {
	*op = TaskGroupBlock{g: &TaskGroup{parent: t, members: map[*Task]uint64{}}}
}

// Group is the block's TaskGroup, the callback's parameter.
func (op *TaskGroupBlock) Group() *TaskGroup { return op.g }

// Stop ends a block that a panic, a Goexit or the unwinding of Loop.Close
// leaves (v is the panic value): the group's tasks are cancelled, not
// waited for, and the group takes no more; the panic goes on.
func (op *TaskGroupBlock) Stop(v any) {
	g := op.g
	if g == nil || g.exiting {
		return
	}
	op.g = nil
	g.abort()
	g.finished = true
}

// Exit begins the exit of the block with the body's error (Python's
// TaskGroup.__aexit__): an error cancels the group's tasks; Step then
// waits for them.
func (op *TaskGroupBlock) Exit(t *Task, err error) {
	g := op.g
	g.exiting = true
	op.bodyErr, op.cancelled, op.waiting = err, nil, false
	if isCancel(err) {
		op.cancelled = err
	}
	if err != nil && !g.aborting {
		g.abort()
	}
}

// Step runs the exit on: while the group has tasks, it waits for the
// last to be done; a cancellation of t from outside meanwhile cancels
// them (and is the result, unless a task failed).
func (op *TaskGroupBlock) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return op.step(t, thrown)
}

func (op *TaskGroupBlock) step(t *Task, thrown error) (Waitable, bool) {
	g := op.g
	if g == nil {
		return nil, false
	}
	for {
		if op.waiting {
			w, s, err := op.sw.step(t, thrown)
			if s {
				return w, true
			}
			thrown = nil
			op.waiting = false
			if err != nil && !g.aborting {
				op.cancelled = err // the parent is being cancelled from outside
				g.abort()
			}
			g.waiter = nil
			if err == ErrLoopClosed {
				// A body that stopped the unwinding of Loop.Close: no
				// task of the closed loop will end, so no wait could.
				op.cancelled = err
				break
			}
		}
		if len(g.members) == 0 {
			break
		}
		g.waiter = &fut{loop: g.parent.loop}
		op.sw = signalWait{g.waiter}
		op.waiting = true
	}
	op.g, op.sw = nil, signalWait{}
	cancelled, bodyErr := op.cancelled, op.bodyErr
	op.cancelled, op.bodyErr = nil, nil
	if g.cancelledParent && g.parent.Uncancel() == 0 {
		cancelled = nil // the only cancellation was ours
	}
	g.finished = true
	switch {
	case cancelled != nil && len(g.errs) == 0:
		op.err = cancelled
	default:
		if bodyErr != nil && !isCancel(bodyErr) {
			g.errs = append(g.errs, bodyErr)
		}
		if len(g.errs) > 0 {
			op.err = errors.Join(g.errs...)
		}
	}
	return nil, false
}

// Result returns WithTaskGroup's error and forgets it.
func (op *TaskGroupBlock) Result() error {
	err := op.err
	op.err = nil
	return err
}

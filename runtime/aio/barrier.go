package aio

import (
	"errors"
	"fmt"
)

// ErrBrokenBarrier is returned by Barrier.Wait when the barrier is
// aborted, or reset while the task waits (Python's BrokenBarrierError).
var ErrBrokenBarrier = errors.New("aio: barrier is broken")

type barrierState uint8

const (
	barrierFilling barrierState = iota
	barrierDraining
	barrierResetting
	barrierBroken
)

var barrierStates = [...]string{"filling", "draining", "resetting", "broken"}

// Barrier lets a fixed number of tasks wait until all of them have come:
// Python's asyncio.Barrier (3.11). Make one with NewBarrier. Like the
// other primitives, it belongs to the loop of the first task that waits
// on it.
type Barrier struct {
	cond    *Condition
	parties int
	state   barrierState
	count   int // tasks in Wait
}

// NewBarrier returns a barrier for parties tasks; parties < 1 panics.
func NewBarrier(parties int) *Barrier {
	if parties < 1 {
		panic("aio: NewBarrier with parties < 1")
	}
	return &Barrier{cond: NewCondition(nil), parties: parties}
}

// Wait suspends t until parties tasks wait on the barrier, then lets them
// all pass, and returns a number from 0 to parties-1, different for each
// task of one passage (the last to come gets parties-1). Tasks that come
// while the barrier lets the previous ones pass wait for the next
// passage. Wait returns ErrBrokenBarrier if the barrier is aborted, or
// reset while t waits, and ErrCancelled if t is cancelled (the barrier
// then waits for one more task).
func (b *Barrier) Wait(t *Task) (int, error) {
	var a BarrierWait
	a.Start(t, b)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// BarrierWait is Barrier.Wait as a resumable operation (see resume.go):
// take the barrier's lock; wait while the previous passage drains or a
// reset completes; then come in, and, unless last, wait for the barrier
// to fill; leave, and release the lock.
type BarrierWait struct {
	b       *Barrier
	phase   barrierPhase
	acq     LockAcquire
	cw      ConditionWait
	index   int
	counted bool // came in: exit is owed
	err     error
}

type barrierPhase uint8

const (
	bwDone barrierPhase = iota
	bwLock
	bwEnter
	bwFill
)

// Start begins waiting on b in t.
func (a *BarrierWait) Start(t *Task, b *Barrier) {
	*a = BarrierWait{b: b, phase: bwLock}
	a.acq.StartCondition(t, b.cond)
}

// Step runs the operation on (see resume.go).
func (a *BarrierWait) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *BarrierWait) step(t *Task, thrown error) (Waitable, bool) {
	b := a.b
	for {
		switch a.phase {
		case bwDone:
			return nil, false
		case bwLock:
			if w, s := a.acq.step(t, thrown); s {
				return w, true
			}
			if err := a.acq.Result(); err != nil {
				a.phase, a.err = bwDone, err // the lock is not had
				continue
			}
			a.phase = bwEnter
			a.cw.StartFor(t, b.cond, b.passable)
		case bwEnter:
			if w, s := a.cw.step(t, thrown); s {
				return w, true
			}
			if err := a.cw.Result(); err != nil {
				a.end(0, err)
				continue
			}
			if b.state == barrierBroken {
				a.end(0, ErrBrokenBarrier)
				continue
			}
			a.index, a.counted = b.count, true
			b.count++
			if a.index+1 == b.parties {
				b.state = barrierDraining
				b.cond.NotifyAll()
				a.end(a.index, nil)
				continue
			}
			a.phase = bwFill
			a.cw.StartFor(t, b.cond, b.filled)
		case bwFill:
			if w, s := a.cw.step(t, thrown); s {
				return w, true
			}
			switch err := a.cw.Result(); {
			case err != nil:
				a.end(0, err)
			case b.state == barrierBroken || b.state == barrierResetting:
				a.end(0, ErrBrokenBarrier)
			default:
				a.end(a.index, nil)
			}
		}
		thrown = nil
	}
}

// end leaves the barrier with the outcome of the wait; the lock is
// released unless the loop is closing (it was not had again).
func (a *BarrierWait) end(index int, err error) {
	b := a.b
	if a.counted {
		a.counted = false
		b.exit()
	}
	if err == nil || isCancel(err) || err == ErrBrokenBarrier {
		b.cond.Release()
	}
	a.phase, a.index, a.err = bwDone, index, err
}

// Result returns Wait's results and forgets the operation.
func (a *BarrierWait) Result() (int, error) {
	index, err := a.index, a.err
	*a = BarrierWait{}
	return index, err
}

// passable reports whether a task may come in: the previous passage has
// drained and no reset is under way.
func (b *Barrier) passable() bool { return b.state != barrierDraining && b.state != barrierResetting }

// filled reports whether the barrier is no longer filling.
func (b *Barrier) filled() bool { return b.state != barrierFilling }

// exit counts a task out of Wait; the last one out ends a passage or a
// reset.
func (b *Barrier) exit() {
	b.count--
	if b.count == 0 {
		if b.state == barrierResetting || b.state == barrierDraining {
			b.state = barrierFilling
		}
		b.cond.NotifyAll()
	}
}

// Reset returns the barrier to its empty state: tasks waiting on it get
// ErrBrokenBarrier. It suspends t while another task holds the barrier's
// internal lock.
func (b *Barrier) Reset(t *Task) error {
	var a BarrierChange
	a.StartReset(t, b)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Abort breaks the barrier for good: tasks waiting on it, and those that
// wait on it later, get ErrBrokenBarrier.
func (b *Barrier) Abort(t *Task) error {
	var a BarrierChange
	a.StartAbort(t, b)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// BarrierChange is Barrier.Reset and Barrier.Abort as a resumable
// operation (see resume.go): they wait for the barrier's lock.
type BarrierChange struct {
	b     *Barrier // while it waits
	abort bool
	acq   LockAcquire
	err   error
}

// StartReset begins a Reset of b in t.
func (a *BarrierChange) StartReset(t *Task, b *Barrier) { a.start(t, b, false) }

// StartAbort begins an Abort of b in t.
func (a *BarrierChange) StartAbort(t *Task, b *Barrier) { a.start(t, b, true) }

func (a *BarrierChange) start(t *Task, b *Barrier, abort bool) {
	*a = BarrierChange{b: b, abort: abort}
	a.acq.StartCondition(t, b.cond)
}

// Step runs the operation on (see resume.go).
func (a *BarrierChange) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *BarrierChange) step(t *Task, thrown error) (Waitable, bool) {
	b := a.b
	if b == nil {
		return nil, false
	}
	if w, s := a.acq.step(t, thrown); s {
		return w, true
	}
	a.b = nil
	if a.err = a.acq.Result(); a.err != nil {
		return nil, false
	}
	switch {
	case a.abort:
		b.state = barrierBroken
	case b.count > 0:
		b.state = barrierResetting
	default:
		b.state = barrierFilling
	}
	b.cond.NotifyAll()
	b.cond.Release()
	return nil, false
}

// Result returns the error and forgets the operation.
func (a *BarrierChange) Result() error {
	err := a.err
	*a = BarrierChange{}
	return err
}

// Parties returns the number of tasks the barrier waits for.
func (b *Barrier) Parties() int { return b.parties }

// Waiting returns the number of tasks waiting for the barrier to fill
// (Python's n_waiting).
func (b *Barrier) Waiting() int {
	if b.state == barrierFilling {
		return b.count
	}
	return 0
}

// Broken reports whether the barrier was aborted.
func (b *Barrier) Broken() bool { return b.state == barrierBroken }

// String describes the barrier as Python does: <Barrier [filling,
// waiters:2/3]>, or <Barrier [broken]>.
func (b *Barrier) String() string {
	if b.Broken() {
		return "<Barrier [broken]>"
	}
	return fmt.Sprintf("<Barrier [%s, waiters:%d/%d]>", barrierStates[b.state], b.Waiting(), b.parties)
}

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
	if err := b.cond.Acquire(t); err != nil {
		return 0, err
	}
	index, err := b.wait(t)
	if err == nil || isCancel(err) || err == ErrBrokenBarrier {
		b.cond.Release() // else the loop is closing: the lock was not had again
	}
	return index, err
}

func (b *Barrier) wait(t *Task) (int, error) {
	// Wait while the previous passage drains or a reset completes.
	if err := b.cond.WaitFor(t, func() bool { return b.state != barrierDraining && b.state != barrierResetting }); err != nil {
		return 0, err
	}
	if b.state == barrierBroken {
		return 0, ErrBrokenBarrier
	}
	index := b.count
	b.count++
	defer b.exit()
	if index+1 == b.parties {
		b.state = barrierDraining
		b.cond.NotifyAll()
		return index, nil
	}
	if err := b.cond.WaitFor(t, func() bool { return b.state != barrierFilling }); err != nil {
		return 0, err
	}
	if b.state == barrierBroken || b.state == barrierResetting {
		return 0, ErrBrokenBarrier
	}
	return index, nil
}

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
	if err := b.cond.Acquire(t); err != nil {
		return err
	}
	if b.count > 0 {
		b.state = barrierResetting
	} else {
		b.state = barrierFilling
	}
	b.cond.NotifyAll()
	b.cond.Release()
	return nil
}

// Abort breaks the barrier for good: tasks waiting on it, and those that
// wait on it later, get ErrBrokenBarrier.
func (b *Barrier) Abort(t *Task) error {
	if err := b.cond.Acquire(t); err != nil {
		return err
	}
	b.state = barrierBroken
	b.cond.NotifyAll()
	b.cond.Release()
	return nil
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

package aio

// The synchronization primitives coordinate the tasks of one loop, like
// Python's asyncio ones: they are not safe for use by several goroutines
// (use package sync for that), and a primitive belongs to the loop of the
// first task that waits on it (another loop's task gets ErrDifferentLoop).
// Their zero values are ready to use, except Semaphore's (see
// NewSemaphore). Waiters are served first come, first served; a task
// cancelled while it waits returns ErrCancelled without holding anything.

// Lock is a mutual exclusion lock for tasks: Python's asyncio.Lock. It is
// not owned by a task: any task may release it.
type Lock struct {
	locked  bool
	waiters waitList
}

// Acquire suspends t until the lock is free, then locks it.
func (l *Lock) Acquire(t *Task) error {
	var a LockAcquire
	a.Start(t, l)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Release unlocks the lock and wakes the first task waiting for it,
// unless that task is already woken or cancelled: it will take the lock
// or pass it on when it runs. Releasing an unlocked lock panics, as with
// sync.Mutex.
func (l *Lock) Release() {
	if !l.locked {
		panic("aio: Release of an unlocked Lock")
	}
	l.locked = false
	l.waiters.wakeFirst()
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool { return l.locked }

// Event wakes the tasks waiting for it when it is set: Python's
// asyncio.Event.
type Event struct {
	set     bool
	waiters waitList
}

// Wait suspends t until the event is set; it returns at once if it is.
func (e *Event) Wait(t *Task) error {
	var a EventWait
	a.Start(t, e)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Set sets the event and wakes every task waiting for it.
func (e *Event) Set() {
	if e.set {
		return
	}
	e.set = true
	e.waiters.wake(e.waiters.n)
}

// Clear resets the event: Wait waits again.
func (e *Event) Clear() { e.set = false }

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool { return e.set }

// Condition lets tasks wait until notified, with a lock held around the
// wait: Python's asyncio.Condition.
type Condition struct {
	lock    *Lock
	waiters waitList
}

// NewCondition returns a condition using lock, or a new Lock if lock is
// nil.
func NewCondition(lock *Lock) *Condition {
	if lock == nil {
		lock = new(Lock)
	}
	return &Condition{lock: lock}
}

// Acquire acquires the condition's lock.
func (c *Condition) Acquire(t *Task) error { return c.lock.Acquire(t) }

// Release releases the condition's lock.
func (c *Condition) Release() { c.lock.Release() }

// Locked reports whether the condition's lock is held.
func (c *Condition) Locked() bool { return c.lock.locked }

// Wait releases the lock, suspends t until notified, and acquires the
// lock again before returning, even when t is cancelled meanwhile (then
// it returns ErrCancelled, with the lock held). A Wait that fails notifies
// the next waiter once it has the lock again, so that a notification
// received by a task cancelled before it could act is not lost; as in
// Python 3.13, this may wake a waiter spuriously, which is why a waiter
// checks its predicate again (WaitFor). Waiting without the lock panics.
func (c *Condition) Wait(t *Task) error {
	var a ConditionWait
	a.Start(t, c)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// WaitFor waits until predicate returns true, calling it first and after
// each notification, with the lock held.
func (c *Condition) WaitFor(t *Task, predicate func() bool) error {
	var a ConditionWait
	a.StartFor(t, c, predicate)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Notify wakes up to n tasks waiting on the condition. The lock must be
// held; notifying without it panics.
func (c *Condition) Notify(n int) {
	if !c.lock.locked {
		panic("aio: Condition.Notify without the lock")
	}
	c.waiters.wake(n)
}

// NotifyAll wakes every task waiting on the condition; the lock must be
// held.
func (c *Condition) NotifyAll() { c.Notify(c.waiters.n) }

// Semaphore is a counter of available slots that tasks take and give
// back: Python's asyncio.Semaphore. Make one with NewSemaphore.
type Semaphore struct {
	value   int
	waiters waitList
}

// NewSemaphore returns a semaphore with n slots; n < 0 panics.
func NewSemaphore(n int) *Semaphore {
	if n < 0 {
		panic("aio: NewSemaphore with a negative count")
	}
	return &Semaphore{value: n}
}

// Locked reports whether Acquire would suspend: no slot is free, or tasks
// wait for one.
func (s *Semaphore) Locked() bool { return s.value == 0 || s.waiters.live() }

// Value returns the number of free slots.
func (s *Semaphore) Value() int { return s.value }

// Acquire takes a slot, suspending t until one is free.
func (s *Semaphore) Acquire(t *Task) error {
	var a SemaphoreAcquire
	a.Start(t, s)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// Release gives a slot back, waking the first task waiting for one.
func (s *Semaphore) Release() {
	s.value++
	s.value -= s.waiters.wake(1)
}

// BoundedSemaphore is a Semaphore whose Release panics if it would free
// more slots than it was made with: Python's asyncio.BoundedSemaphore.
type BoundedSemaphore struct {
	s     Semaphore
	bound int
}

// NewBoundedSemaphore returns a bounded semaphore with n slots.
func NewBoundedSemaphore(n int) *BoundedSemaphore {
	return &BoundedSemaphore{s: *NewSemaphore(n), bound: n}
}

// Acquire takes a slot, suspending t until one is free.
func (b *BoundedSemaphore) Acquire(t *Task) error { return b.s.Acquire(t) }

// Release gives a slot back; releasing more than were taken panics.
func (b *BoundedSemaphore) Release() {
	if b.s.value >= b.bound {
		panic("aio: BoundedSemaphore released too many times")
	}
	b.s.Release()
}

// Locked reports whether Acquire would suspend.
func (b *BoundedSemaphore) Locked() bool { return b.s.Locked() }

// Value returns the number of free slots.
func (b *BoundedSemaphore) Value() int { return b.s.value }

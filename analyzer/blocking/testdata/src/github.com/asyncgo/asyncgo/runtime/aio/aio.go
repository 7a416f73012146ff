// Package aio is a stand-in for asyncgo's runtime/aio with the agreed
// names, for the analyzers' tests.
package aio

import (
	"sync"
	"time"
)

// Task is the handle of a running coroutine.
type Task struct{}

// Name returns the task's name.
func (t *Task) Name() string { return "" }

// Awaitable is anything a task can await.
type Awaitable[R any] interface{ result() R }

// Coroutine is a coroutine object.
type Coroutine[R any] struct{ f func(*Task) (R, error) }

func (c *Coroutine[R]) result() (r R) { return }

// Async builds a coroutine object.
func Async[R any](f func(t *Task) (R, error)) *Coroutine[R] { return &Coroutine[R]{f} }

// Handle is a scheduled task.
type Handle[R any] struct{}

func (h *Handle[R]) result() (r R) { return }

// Cancel cancels the task.
func (h *Handle[R]) Cancel() bool { return true }

// CreateTask schedules c on t's loop.
func CreateTask[R any](t *Task, c *Coroutine[R]) *Handle[R] { return &Handle[R]{} }

// Await suspends t until a is done.
func Await[R any](t *Task, a Awaitable[R]) (R, error) { return a.result(), nil }

// Gather awaits all of cs.
func Gather[R any](t *Task, cs ...Awaitable[R]) ([]R, error) { return nil, nil }

// Sleep suspends t.
func Sleep(t *Task, d time.Duration) error { return nil }

// Run runs c on a new loop; like the real one, it waits for the loop's
// goroutines when it closes the loop.
func Run[R any](c *Coroutine[R]) (R, error) {
	var wg sync.WaitGroup
	wg.Wait()
	return c.result(), nil
}

// Loop is an event loop.
type Loop struct{}

// NewLoop returns a loop.
func NewLoop() *Loop { return &Loop{} }

// RunUntilComplete runs a on l.
func (l *Loop) RunUntilComplete(a interface{}) error { return nil }

// CallSoon schedules f on the loop.
func (l *Loop) CallSoon(f func()) {}

// CreateTask schedules c on l.
func (l *Loop) CreateTask(c *Coroutine[int]) *Handle[int] { return &Handle[int]{} }

// ToThread runs f on a worker thread and awaits it.
func ToThread[R any](t *Task, f func() (R, error)) (R, error) { return f() }

// TaskGroup awaits the tasks it creates.
type TaskGroup struct{}

// CreateTask schedules c in the group.
func (g *TaskGroup) CreateTask(c *Coroutine[int]) *Handle[int] { return &Handle[int]{} }

// Lock is an asyncio lock.
type Lock struct{}

// Acquire suspends t until the lock is free.
func (l *Lock) Acquire(t *Task) error { return nil }

// Release releases the lock.
func (l *Lock) Release() {}

// Queue is an asyncio queue.
type Queue[T any] struct{}

// Get suspends t until an item is there.
func (q *Queue[T]) Get(t *Task) (T, error) { var v T; return v, nil }

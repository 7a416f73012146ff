package a

import (
	"b"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Two tasks awaiting each other's handles.
func tasksCycle() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		var h1, h2 *aio.Handle[int]
		h1 = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return aio.Await(t, h2) // want `wait-for cycle: the function literal at line 13 \(producing h1\) waits on h2, while the function literal at line 16 \(producing h2\) waits on h1`
		}))
		h2 = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return aio.Await(t, h1)
		}))
		return aio.Await(t, h1)
	})
}

// A task awaiting its own handle, through an async function.
var own *aio.Handle[int]

func awaitOwn() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return aio.Await(t, own) // want `the function literal at line 27 waits on own, the task of the very task it runs in`
	})
}

func startOwn(t *aio.Task) {
	own = aio.CreateTask(t, awaitOwn())
}

// Running a loop inside a running task.
func nestedRun(t *aio.Task) error { // want nestedRun:"runs a loop at aio.go:38: aio.Run"
	_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 1, nil })) // want `aio.Run runs an event loop inside a running task`
	return err
}

func nestedViaFact() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return 0, b.Wrapped() // want `b.Wrapped \(it runs a loop at b.go:8: aio.Run\) runs an event loop inside a running task`
	})
}

func nestedLoopMethod(t *aio.Task, l *aio.Loop) { // want nestedLoopMethod:"runs a loop at aio.go:49: l.RunUntilComplete"
	l.RunUntilComplete(nil) // want `l.RunUntilComplete runs an event loop inside a running task`
}

// Awaiting a task of another loop.
var foreign *aio.Handle[int]

func twoLoops() { // want twoLoops:"runs a loop at aio.go:57: l1.RunUntilComplete"
	l1, l2 := aio.NewLoop(), aio.NewLoop()
	l1.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) {
		foreign = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 1, nil }))
		return 0, nil
	}))
	l2.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) {
		return aio.Await(t, foreign) // want `aio.Await\(foreign\), in a task of loop l2, waits on foreign, a task of loop l1`
	}))
}

// --- safe look-alikes ---

// Running a loop from plain code, and in a goroutine started by a task.
func topLevel() error { // want topLevel:"runs a loop at b.go:8: aio.Run"
	go func() { _ = b.Main() }()
	return b.Main()
}

func goroutineInTask(t *aio.Task) {
	go func() { _ = b.Main() }()
}

// Awaiting a task of the same loop.
var mine *aio.Handle[int]

func oneLoop() { // want oneLoop:"runs a loop at aio.go:83: l.RunUntilComplete"
	l := aio.NewLoop()
	l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) {
		mine = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 1, nil }))
		return aio.Await(t, mine)
	}))
}

// Awaiting with the task from another thread.
func foreignThread() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		go func() {
			aio.Sleep(t, 0) // want `aio.Sleep suspends task t from a goroutine: only t's loop can suspend and resume it`
		}()
		return aio.ToThread(t, func() (int, error) {
			return aio.Await(t, mine) // want `aio.Await suspends task t from a worker thread \(aio.ToThread\)`
		})
	})
}

// A goroutine that runs its own coroutine is fine.
func ownTask() {
	go func() {
		_, _ = aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, 0) }))
	}()
}

// Package aio is Python's asyncio for Go: an event loop that runs
// coroutines as tasks, one at a time, switching between them only where
// they await; with timers, cancellation, synchronization primitives,
// queues, TCP streams and a bridge to executors.
//
// An async function returns a coroutine object built with Async. Its
// body receives the task's handle, t, and passes it explicitly, like a
// context.Context, to everything that may suspend it:
//
//	func fetch(url string) *aio.Coroutine[[]byte] {
//		return aio.Async(func(t *aio.Task) ([]byte, error) {
//			if err := aio.Sleep(t, time.Second); err != nil {
//				return nil, err // cancelled while sleeping
//			}
//			...
//		})
//	}
//
//	func main() {
//		body, err := aio.Run(fetch("http://..."))
//	}
//
// Calling fetch runs nothing. Await(t, c) runs the coroutine c inside
// the task t; CreateTask(t, c) schedules it as a task of its own, which
// runs concurrently, and returns its *Handle.
//
// # Python to Go
//
//	asyncio.run(main())                aio.Run(main())
//	loop.run_until_complete(f)         loop.RunUntilComplete(f)
//	async def f(): ...                 func f() *aio.Coroutine[R] { return aio.Async(...) }
//	await x                            aio.Await(t, x)
//	asyncio.create_task(c, name=n)     aio.CreateTask(t, c, aio.Name(n))
//	g.create_task(c) in a TaskGroup    aio.CreateGroupTask(g, c)
//	task.cancel()                      h.Cancel()
//	except asyncio.CancelledError      errors.Is(err, aio.ErrCancelled)
//	asyncio.sleep(d)                   aio.Sleep(t, d)
//	asyncio.gather(*cs)                aio.Gather(t, cs...)
//	gather(..., return_exceptions=True) aio.GatherErrors(t, cs...)
//	asyncio.wait(fs, return_when=W)    aio.Wait(t, fs, aio.FirstCompleted)
//	asyncio.wait_for(x, d)             aio.WaitFor(t, x, d)
//	asyncio.as_completed(fs)           for f, err := range aio.AsCompleted(t, fs)
//	asyncio.shield(x)                  aio.Shield(t, x)
//	async with asyncio.timeout(d):     aio.Timeout(t, d, func(*aio.TimeoutScope) error {...})
//	async with asyncio.TaskGroup() as g: aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {...})
//	loop.call_soon/call_later/call_at  loop.CallSoon/CallLater/CallAt
//	loop.call_soon_threadsafe          loop.CallSoonThreadsafe
//	asyncio.Lock, Event, Condition,    aio.Lock, Event, Condition,
//	  Semaphore, BoundedSemaphore        Semaphore, BoundedSemaphore
//	asyncio.Barrier(n)                 aio.NewBarrier(n)
//	asyncio.all_tasks, current_task    aio.AllTasks(loop), aio.CurrentTask(loop)
//	asyncio.Queue, LifoQueue,          aio.NewQueue, NewLifoQueue,
//	  PriorityQueue                      NewPriorityQueue
//	asyncio.open_connection            aio.OpenConnection
//	asyncio.start_server               aio.StartServer
//	loop.run_in_executor(ex, f)        aio.RunInExecutor(t, ex, f)
//	asyncio.to_thread(f)               aio.ToThread(t, f)
//	asyncio.wrap_future(f)             aio.WrapFuture(loop, f)
//	loop.set_debug(True)               aio.WithDebug(true)
//
// Errors are Go errors: a task's body returns (R, error), and an error
// that wraps ErrCancelled leaves the task cancelled. Awaiting anything
// returns its error.
//
// # Tasks and the loop
//
// A loop runs on the goroutine that calls Run, RunUntilComplete or
// RunForever. In direct mode, the mode of Async, each task is a stackful
// coroutine: its body runs on a goroutine of its own, and the loop hands
// control to it and back through the Go runtime's coroutine switch (the
// one iter.Pull uses), so that exactly one task, or the loop, runs at a
// time. Code between two awaits is never interleaved with other tasks:
// asyncio's single-threaded reasoning holds, and a program's output
// depends only on its timers and I/O. Finished tasks' goroutines are kept
// for the next tasks, so a task costs no goroutine creation.
//
// Everything attached to a loop (tasks, futures, primitives, streams) is
// used from its tasks and callbacks only, as in Python; another goroutine
// hands work to the loop with CallSoonThreadsafe. Blocking calls belong on
// other goroutines: ToThread and RunInExecutor run them on an executor
// and suspend only the task. Network I/O runs each read, write, dial and
// accept on a helper goroutine that posts its completion to the loop.
//
// # Cancellation
//
// Handle.Cancel delivers ErrCancelled at the await where the task is
// suspended; what it awaited there (a child task, a future) is cancelled
// too. The task may clean up (its defers run as it returns the error),
// or carry on, Uncancel withdrawing the request. Cancelling a finished
// task does nothing. Timeout, WaitFor and TaskGroup build on it, telling
// their own cancellations from others with Task.Cancelling.
//
// # Debugging
//
// In debug mode (WithDebug, WithSlowStep, or ASYNCGO_DEBUG=1), a task
// step or callback that holds the loop longer than the threshold is
// logged with the task's name and the stack where it was stuck: usually
// a blocking call, and coroutines created while the loop runs are
// tracked: one garbage collected without ever being awaited or scheduled
// is logged (TrackCoroutines turns that on for the whole program). Always,
// a task or future whose error nobody read is logged when it is garbage
// collected. An await that could never finish because the
// tasks involved await each other returns a *DeadlockError at once, and
// running a loop from inside a running one returns ErrLoopRunning.
//
// # Virtual time
//
// WithVirtualClock gives a loop a clock that jumps to the next timer
// whenever every task waits on one: simulations and tests that sleep run
// at once and deterministically.
//
// # Lowered bodies
//
// The asyncgo rewriter lowers annotated async functions into state
// machines that implement Machine; FromMachine makes them coroutines that
// run as tasks on the loop's goroutine, with no goroutine or stack each.
// Direct and lowered coroutines interoperate: each can await the other.
package aio

// Package unawaited defines an Analyzer that reports coroutines, task
// handles and generators that are created and dropped.
//
// # Analyzer unawaited
//
// unawaited: report coroutines never awaited, task handles not kept and generators dropped
//
// Calling an async function (one returning *aio.Coroutine[R], or aio.Async
// itself) runs nothing: it builds a coroutine object, which runs only when
// a task awaits it (aio.Await, Gather, ...) or it is scheduled
// (aio.CreateTask). A coroutine that is created and then dropped never
// runs — asyncio's "coroutine ... was never awaited", found before run
// time:
//
//	Fetch(url)            // the coroutine is dropped: nothing is fetched
//	_ = Fetch(url)        // the same
//	go Fetch(url)         // the goroutine only builds the coroutine
//
// A task created with aio.CreateTask (or a loop's CreateTask) whose handle
// is dropped cannot be awaited or cancelled, and its error is never seen;
// asyncio's documentation asks to keep a reference to every task. Tasks
// created by a TaskGroup are kept by the group and are not reported.
//
// A generator (coro.New, or a //asyncgo:generator function returning
// *coro.Generator) created as an expression statement and dropped never
// runs its body either.
//
// Not reported: objects that are awaited, scheduled, passed to a function,
// stored or returned; calls of functions that may return an existing object
// rather than a new one (a function returning a field, a parameter or a
// package variable; a fact carries this across packages); generic
// functions whose result merely instantiates to one of these types.
//
// Suggested fix: a dropped coroutine in a function with a *aio.Task t is
// awaited: `if _, err := aio.Await(t, F()); err != nil { return ..., err }`
// when the function returns an error, `aio.Await(t, F())` otherwise.
package unawaited

// Doc is the analyzer's documentation.
const Doc = `report coroutines never awaited, task handles not kept and generators dropped

A call of an async function (returning *aio.Coroutine) or of aio.Async only
builds a coroutine object: report one that is dropped (an expression
statement, assigned to _, or the call of a go or defer statement) without
being awaited, scheduled, passed on, stored or returned. Report a task
created with CreateTask whose handle is dropped (not in a TaskGroup, which
keeps its tasks), and a generator created and dropped.`

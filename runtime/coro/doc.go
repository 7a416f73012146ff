// Package coro implements Python's generators for Go: a body that suspends
// at each yield, receives values sent in, has errors thrown in at its
// suspension point, can be closed (running its defers), and returns a final
// value. It follows PEP 342 and PEP 380 (yield from).
//
// A generator function returns a *Generator built with New. The body gets a
// handle, co, passed explicitly like a context.Context:
//
//	func Averager() *coro.Generator[float64, float64, Result] {
//		return coro.New(func(co *coro.Co[float64, float64]) Result {
//			var total, avg float64
//			var n int
//			for {
//				term := co.Yield(avg) // suspends; returns the value sent in
//				...
//			}
//		})
//	}
//
// Calling Averager runs nothing; the body starts at the first Next or Send.
//
// # Python to Go
//
//	next(g)            g.Next()
//	g.send(v)          g.Send(v)
//	g.throw(exc)       g.Throw(err)
//	g.close()          g.Close()
//	StopIteration      ErrStopIteration; the return value is g.Result()
//	yield x            co.Yield(x), or co.YieldErr(x) to catch what is thrown
//	raise err          co.Raise(err)
//	yield from sub     coro.YieldFrom(co, sub), or coro.YieldFromErr
//	for x in g         for x := range g.All()
//	@contextmanager    coro.With
//	ExitStack          coro.ExitStack
//
// An error thrown in at a Yield, and not caught with YieldErr, unwinds the
// body (its defers run) and is returned by the Throw that delivered it. Close
// unwinds the body in the same way (Python's GeneratorExit); a deferred
// function that recovers it may let the body return normally. One that
// yields instead ignores the close: Close returns ErrIgnoredGeneratorExit
// and the generator stays suspended there, as in Python. Closing a
// delegating generator closes its sub-generator first, and an error the
// sub's clean-up fails with reaches the delegator's YieldFromErr, which may
// handle it (PEP 380). A panic in the body ends the generator and reaches
// the caller as a *PanicError carrying the value and the stack. A Co
// belongs to its body: used after the body ended, it panics saying so.
//
// A Generator is not safe for concurrent use, like Python's generators, which
// raise "generator already executing" on re-entry.
//
// # Direct and lowered bodies
//
// A generator's body runs behind the Machine interface. New builds a direct
// body: a stackful coroutine run by the Go runtime's coroutine switch (the
// one iter.Pull uses), so that the body may suspend anywhere. The asyncgo
// rewriter lowers annotated generator functions into state machines that
// implement Machine themselves and are wrapped by FromMachine: no goroutine
// and no stack per generator. All of Python's rules (states, the send/throw
// checks, close, the return value) live in Generator, so a generator behaves
// the same whichever way its body was built, and the two kinds can delegate
// to each other with YieldFrom.
package coro

package coro

// Delegate advances sub one step on behalf of a delegating generator, by the
// rules of PEP 380: the first step (first true) starts sub; after that, a
// value sent in is sent on to sub, an error thrown in is thrown into sub, and
// ErrGeneratorExit closes sub. It returns the value sub yields (done false),
// or sub's return value once it stops (done true, err nil), or the error
// that ends the delegation (done true): an error sub failed with, an error
// its Close returned, or ErrGeneratorExit after sub closed cleanly.
//
// YieldFrom is built on it; lowered bodies call it at a yield-from resume
// point.
func Delegate[Y, S, R any](sub *Generator[Y, S, R], first bool, sent S, thrown error) (y Y, done bool, r R, err error) {
	switch {
	case first:
		y, err = sub.Next()
	case thrown == ErrGeneratorExit:
		if err = sub.Close(); err == nil {
			err = ErrGeneratorExit
		}
		return y, true, r, err
	case thrown != nil:
		y, err = sub.Throw(thrown)
	default:
		y, err = sub.Send(sent)
	}
	switch err {
	case nil:
		return y, false, r, nil
	case ErrStopIteration:
		r, _ = sub.Result()
		return y, true, r, nil
	}
	return y, true, r, err
}

// YieldFromErr delegates to sub until it stops (Python's yield from): the
// values sub yields go to the caller of co's generator, values sent in go to
// sub, errors thrown in are thrown into sub, and closing co's generator
// closes sub. It returns sub's return value, or the error sub failed with
// (an error thrown in and not handled by sub, for example), which the body
// may handle. When co's generator is closed, sub is closed first: if sub
// closes cleanly the body unwinds from here, as from YieldErr; if sub's
// Close fails, YieldFromErr returns that error and a body that handles it
// and returns makes Close return nil (PEP 380), while one that yields
// again is ignoring the exit (see Generator.Close).
func YieldFromErr[Y, S, R any](co *Co[Y, S], sub *Generator[Y, S, R]) (R, error) {
	if co.flags&ended != 0 {
		panic(errEndedUse) // before sub is started
	}
	y, done, r, err := Delegate(sub, true, *new(S), nil)
	for !done {
		s, thrown := co.exchange(y, true)
		y, done, r, err = Delegate(sub, false, s, thrown)
	}
	if err == ErrGeneratorExit && co.flags&closing != 0 {
		// sub closed cleanly: closing unwinds the delegating body too. An
		// error sub's Close reported instead is returned, for the body to
		// handle or let through (PEP 380); it is still closing, so a yield
		// now is ignoring the exit.
		panic(&unwind{err})
	}
	return r, err
}

// YieldFrom is YieldFromErr for a body that lets sub's errors propagate:
// an error sub fails with unwinds the body and ends its generator with it.
func YieldFrom[Y, S, R any](co *Co[Y, S], sub *Generator[Y, S, R]) R {
	r, err := YieldFromErr(co, sub)
	if err != nil {
		panic(&unwind{err})
	}
	return r
}

// DelegateUnwinds reports whether a delegating body must unwind after the
// Delegate call that carried thrown returned err: the body was being
// closed and its sub-generator closed cleanly (err is ErrGeneratorExit).
// An error that sub's Close returned instead is delivered to the body like
// any error sub fails with, so that a YieldFromErr may handle it (PEP 380),
// as a direct body's does. Lowered bodies call it at a yield-from resume
// point, before looking at done.
func DelegateUnwinds(thrown, err error) bool {
	return thrown == ErrGeneratorExit && err == ErrGeneratorExit
}

package aio

import "slices"

// gathering is the outer future of a Gather: done when every child is, or
// at the first failure unless errors are returned per child. Cancelling
// it cancels the children.
type gathering[R any] struct {
	outer      fut
	children   []result[R] // one per argument
	distinct   int         // children that are different futures
	finished   int
	returnErrs bool
	cancelled  bool // a cancellation of the outer future was requested
}

// Gather runs the awaitables concurrently and returns their results in
// the order given (Python's asyncio.gather): coroutines are scheduled as
// tasks; an awaitable given twice is awaited once. The first error of a
// child is returned at once; the other children carry on. If t is
// cancelled, every child that is not done is cancelled, and Gather
// returns ErrCancelled once they are done.
func Gather[R any](t *Task, cs ...Awaitable[R]) ([]R, error) {
	var a Gathering[R]
	a.Start(t, cs...)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// GatherErrors is Gather with return_exceptions=True: it waits for every
// child and returns each one's result and error, in the order given (a
// cancelled child's error is ErrCancelled). Its own error is non-nil only
// if t itself is cancelled.
func GatherErrors[R any](t *Task, cs ...Awaitable[R]) ([]R, []error, error) {
	var a Gathering[R]
	a.StartErrors(t, cs...)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.ResultErrors()
}

// Gathering is Gather and GatherErrors as a resumable operation (see
// resume.go): Start or StartErrors, then Result or ResultErrors.
type Gathering[R any] struct {
	g    *gathering[R] // while waiting
	rs   []R
	errs []error
	err  error
}

// Start begins a Gather of cs in t.
func (a *Gathering[R]) Start(t *Task, cs ...Awaitable[R]) { a.start(t, cs, false) }

// StartErrors begins a GatherErrors of cs in t.
func (a *Gathering[R]) StartErrors(t *Task, cs ...Awaitable[R]) { a.start(t, cs, true) }

func (a *Gathering[R]) start(t *Task, cs []Awaitable[R], returnErrs bool) {
	*a = Gathering[R]{rs: make([]R, len(cs))}
	if returnErrs {
		a.errs = make([]error, len(cs))
	}
	if len(cs) == 0 {
		return
	}
	g := &gathering[R]{outer: fut{loop: t.loop}, children: make([]result[R], len(cs)), returnErrs: returnErrs}
	g.outer.ctl = g
	// Children done already are counted once all are in, as Python 3.12's
	// gather does; the others notify the gathering in the turn after they
	// complete.
	var done []result[R]
	for i, c := range cs {
		if c.spent() {
			// A coroutine already run: given twice, or an error.
			if j := slices.IndexFunc(cs[:i], func(x Awaitable[R]) bool { return x == c }); j >= 0 {
				g.children[i] = g.children[j]
				continue
			}
		}
		f := c.ensure(t.loop, nil)
		g.children[i] = f
		b := f.base()
		if b.done() {
			if !slices.ContainsFunc(done, func(d result[R]) bool { return d.base() == b }) {
				g.distinct++
				done = append(done, f)
			}
			continue
		}
		if b.lastIs(g) {
			continue // a future given twice
		}
		g.distinct++
		b.subscribe(g)
	}
	for _, f := range done {
		g.notify(f.base())
	}
	a.g = g
}

// Step runs the operation on (see resume.go).
func (a *Gathering[R]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Gathering[R]) step(t *Task, thrown error) (Waitable, bool) {
	g := a.g
	if g == nil {
		return nil, false
	}
	if thrown == nil && !g.outer.done() {
		if thrown = waitErr(t, &g.outer); thrown == nil {
			return (*signal)(&g.outer), true
		}
	}
	a.g = nil
	if thrown == nil {
		thrown = g.outer.retrieve()
	}
	if thrown != nil {
		a.rs, a.errs, a.err = nil, nil, thrown
		return nil, false
	}
	for i, f := range g.children {
		b := f.base()
		if a.errs != nil {
			a.errs[i] = b.retrieve()
		}
		if b.state == fFinished && b.err == nil {
			a.rs[i] = f.value()
		}
	}
	return nil, false
}

// Result returns Gather's results and forgets the operation.
func (a *Gathering[R]) Result() ([]R, error) {
	rs, err := a.rs, a.err
	*a = Gathering[R]{}
	return rs, err
}

// ResultErrors returns GatherErrors' results and forgets the operation.
func (a *Gathering[R]) ResultErrors() ([]R, []error, error) {
	rs, errs, err := a.rs, a.errs, a.err
	*a = Gathering[R]{}
	return rs, errs, err
}

// cancel implements canceler for the outer future.
func (g *gathering[R]) cancel() bool {
	if g.outer.done() {
		return false
	}
	ret := false
	for _, f := range g.children {
		if f.Cancel() {
			ret = true
		}
	}
	if ret {
		g.cancelled = true
	}
	return ret
}

// notify counts a child done.
func (g *gathering[R]) notify(f *fut) {
	g.finished++
	if g.outer.done() {
		if f.state != fCancelled {
			f.retrieve() // seen by Gather, which returned already
		}
		return
	}
	if !g.returnErrs {
		if f.state == fCancelled {
			g.outer.state, g.outer.err = fCancelled, f.retrieve()
			g.outer.complete()
			return
		}
		if f.err != nil {
			g.outer.resolve(f.retrieve(), "")
			return
		}
	}
	if g.finished < g.distinct {
		return
	}
	if g.cancelled {
		g.outer.state, g.outer.err = fCancelled, ErrCancelled
		g.outer.complete()
		return
	}
	g.outer.resolve(nil, "")
}

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
	rs, _, err := gather(t, cs, false)
	return rs, err
}

// GatherErrors is Gather with return_exceptions=True: it waits for every
// child and returns each one's result and error, in the order given (a
// cancelled child's error is ErrCancelled). Its own error is non-nil only
// if t itself is cancelled.
func GatherErrors[R any](t *Task, cs ...Awaitable[R]) ([]R, []error, error) {
	return gather(t, cs, true)
}

func gather[R any](t *Task, cs []Awaitable[R], returnErrs bool) ([]R, []error, error) {
	rs := make([]R, len(cs))
	var errs []error
	if returnErrs {
		errs = make([]error, len(cs))
	}
	if len(cs) == 0 {
		return rs, errs, nil
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
	if err := awaitFut(t, &g.outer); err != nil {
		return nil, nil, err
	}
	if err := g.outer.retrieve(); err != nil {
		return nil, nil, err
	}
	for i, f := range g.children {
		b := f.base()
		if returnErrs {
			errs[i] = b.retrieve()
		}
		if b.state == fFinished && b.err == nil {
			rs[i] = f.value()
		}
	}
	return rs, errs, nil
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

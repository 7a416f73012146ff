package lockorder

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A lock held until the caller says stop (issue 14;
// kubernetes-sigs/controller-runtime#178).
//
// Start(stop <-chan struct{}) that locks c.mu with a deferred unlock and
// then receives from stop holds c.mu for as long as its caller lets it
// run: every other function of the package that locks c.mu (Watch) waits
// until the caller closes stop, and a goroutine the caller waits for
// before it closes stop (or that must run for the caller to get there,
// such as a worker Start itself started) never gets the lock. Reported:
// a plain receive from a signal channel (chan struct{}) that is a
// parameter of the function, or from the Done channel of a
// context.Context parameter, made while the function holds a mutex for
// writing that another function of the package, not called from this
// one, also locks. A select with other cases, a read lock, or a lock no
// other function takes are not reported; neither are tests.

// lifetimeWait is a receive from the caller's stop channel made while
// holding h.
type lifetimeWait struct {
	fn   *ssa.Function
	pos  token.Pos
	h    *lockInfo
	what string
}

// stopChan describes v when it is a signal channel parameter of fn or the
// Done channel of a context parameter; "" otherwise.
func stopChan(fn *ssa.Function, v ssa.Value) string {
	if p, ok := v.(*ssa.Parameter); ok && p.Parent() == fn {
		if ch, ok := p.Type().Underlying().(*types.Chan); ok && ch.Dir() != types.SendOnly {
			if st, ok := ch.Elem().Underlying().(*types.Struct); ok && st.NumFields() == 0 {
				return p.Name()
			}
		}
		return ""
	}
	call, ok := v.(*ssa.Call)
	if !ok || !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" {
		return ""
	}
	p, ok := call.Call.Value.(*ssa.Parameter)
	if !ok || p.Parent() != fn || !isNamed(p.Type(), "context", "Context") {
		return ""
	}
	return p.Name() + ".Done()"
}

// noteLifetimeWait records a receive from v at pos on the path s when v
// is the caller's stop channel (see stopChan).
func (f *fnChecker) noteLifetimeWait(v ssa.Value, pos token.Pos, s *state) {
	if !f.final || f.indirect > 0 || f.c.isTest(pos) {
		return
	}
	what := stopChan(f.fn, v)
	if what == "" {
		return
	}
	for _, h := range s.held {
		if h.read || h.inst == "" || byClass(h.inst) || h.once != "" || h.fkey == "" || h.maybe {
			continue
		}
		f.c.lifetimeWaits = append(f.c.lifetimeWaits, &lifetimeWait{fn: f.fn, pos: pos, h: h, what: what})
	}
}

// noteLocker records that fn locks a mutex of class fkey at pos.
func (c *checker) noteLocker(fn *ssa.Function, fkey string, pos token.Pos) {
	if fkey == "" {
		return
	}
	if c.lockers == nil {
		c.lockers = map[string]map[*ssa.Function]token.Pos{}
	}
	m := c.lockers[fkey]
	if m == nil {
		m = map[*ssa.Function]token.Pos{}
		c.lockers[fkey] = m
	}
	if _, ok := m[fn]; !ok {
		m[fn] = pos
	}
}

// within reports whether fn is g or a function literal inside g.
func within(fn, g *ssa.Function) bool {
	for ; fn != nil; fn = fn.Parent() {
		if fn == g {
			return true
		}
	}
	return false
}

// reportLifetimeWaits reports the lifetime waits whose lock another
// function of the package takes.
func (c *checker) reportLifetimeWaits() {
	for _, w := range c.lifetimeWaits {
		var other *ssa.Function
		var at token.Pos
		for g, pos := range c.lockers[w.h.fkey] {
			if within(g, w.fn) || c.reaches(w.fn, g) || c.reaches(g, w.fn) || c.isTest(pos) {
				continue
			}
			if other == nil || c.before(pos, at) {
				other, at = g, pos
			}
		}
		if other == nil {
			continue
		}
		c.report(w.pos, fmt.Sprintf("this goroutine waits for its caller to close %s while holding %s (locked at line %d): until then %s, which locks %s too (%s), waits; a goroutine the caller waits for before it closes %s, or one that must run for it to, waits forever",
			w.what, w.h.desc, c.line(w.h.pos), fnLabel(other), w.h.desc, c.at(at, w.pos), w.what),
			analysis.RelatedInformation{Pos: w.h.pos, Message: w.h.desc + " locked here"},
			analysis.RelatedInformation{Pos: at, Message: "another function locks it here"})
	}
}

package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Wakes in a deferred function literal (session 18, lockmix).
//
// `defer close(done)` and `defer wg.Done()` are deferred wakes of the
// function: they come after everything it does, so a lock it takes
// anywhere may keep the waker from getting there. The same wake written
// in a deferred literal,
//
//	defer func() {
//		if s.running.Add(-1) == 0 {
//			close(s.done)
//		}
//	}()
//
// or in a deferred call of a helper (`defer s.finish()`), was the
// literal's or helper's own wake, taken with no lock, so every wait for
// it looked wakeable (prometheus/prometheus#10279: stop waits on s.done
// holding s.mtx while the shard's loop, which closes s.done on its way
// out, is stuck locking s.mtx). Here the callee's wakes (its summary,
// with the literal's captured variables bound) are the caller's deferred
// wakes, and a literal that is only ever deferred has no wakes of its
// own: it runs only when its function returns.

// deferredCalleeWakes records the wakes of the deferred call's callee
// (a literal of this function, or a function of the package) as this
// function's deferred wakes.
func (f *fnChecker) deferredCalleeWakes(call *ssa.CallCommon, callee *ssa.Function, sum *Summary, pos token.Pos) {
	if callee.Pkg == nil || callee.Pkg != f.fn.Pkg {
		return
	}
	for _, a := range sum.Wakes {
		if a.Kind == "" {
			continue
		}
		if possible, _ := f.guardHolds(call, a.Guard); !possible {
			continue
		}
		ik, ck, _, ok := f.subst(call, a)
		if !ok || ck == "" {
			continue
		}
		fk := paramFieldKey(callee, a)
		if fk == "" {
			fk = freeFieldKey(callee, a)
		}
		f.deferWakes = append(f.deferWakes, &wakeOp{class: ck, kind: a.Kind, pos: pos, fkey: fk, ik: ik})
	}
}

// wakesAtCaller reports whether fn's wakes are accounted where it is
// called (or deferred), with the caller's locks, rather than on their own:
// a function only the package calls, also one it only defers.
func (c *checker) wakesAtCaller(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return c.deferOnly(fn)
	}
	if c.internal(fn) {
		return true
	}
	if fn.Object() == nil || fn.Object().Exported() && !c.hiddenMethod(fn) {
		return false
	}
	return c.deferCalls[fn] > 0 && c.calls[fn]+c.deferCalls[fn] == c.uses[fn]
}

// deferOnly reports whether the function literal fn is only ever
// deferred by the function that makes it.
func (c *checker) deferOnly(fn *ssa.Function) bool {
	if r, ok := c.deferOnlyMemo[fn]; ok {
		return r
	}
	var v ssa.Value = fn
	if mc := c.k.closures[fn]; mc != nil {
		v = mc
	}
	refs := v.Referrers()
	ok := refs != nil && len(*refs) > 0
	if ok {
		for _, r := range *refs {
			if d, isDefer := r.(*ssa.Defer); !isDefer || d.Call.Value != v {
				ok = false
				break
			}
		}
	}
	c.deferOnlyMemo[fn] = ok
	return ok
}

// freeFieldKey is paramFieldKey for a wake on a field of one of the
// literal's captured variables ("{f0}.done").
func freeFieldKey(callee *ssa.Function, a Acq) string {
	var i int
	if _, err := fmt.Sscanf(a.Root, "{f%d}", &i); err != nil || i < 0 || i >= len(callee.FreeVars) {
		return ""
	}
	t, path := callee.FreeVars[i].Type(), strings.TrimSuffix(a.Path, "^")
	if rest, ok := strings.CutPrefix(path, "^"); ok {
		// A variable captured by reference: its cell holds the pointer.
		p, isPtr := t.Underlying().(*types.Pointer)
		if !isPtr {
			return ""
		}
		t, path = p.Elem(), rest
	}
	field, ok := strings.CutPrefix(path, ".")
	if !ok || strings.ContainsAny(field, ".^<[&") {
		return ""
	}
	n := pointee(t)
	if n == nil {
		return ""
	}
	return types.TypeString(n, nil) + "." + field
}

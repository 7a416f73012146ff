package condwait

import (
	"fmt"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A waiter that re-waits after the close (smallnest/ringbuffer#12). The
// waiting function tests a one-way state (an error only ever set non-nil,
// a flag only ever set true) before its wait loop, and returns if it is
// set; another function sets it under the Cond's lock and then wakes the
// Cond, to end the wait. But the loop around the Wait never tests the
// state again, neither itself nor through a method that reports it: the
// woken waiter finds its data condition unchanged (the buffer still full)
// and goes back to Wait, and with the other side closed nothing wakes it
// again. A method reports the state when each of its results is the
// state, derived from it, or a constant; one that can hand back its own
// argument (setErr(err) returning err) does not.

// checkRewait reports such waits on cd.
func (c *checker) checkRewait(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	lf := c.flowsFor(cd)
	for _, w := range cd.waits {
		inst := condInst(w)
		cyc := innerLoop(w.Block())
		if inst == nil || cyc == nil {
			continue
		}
		fn := w.Parent()
		for f, wrs := range c.writes {
			set := c.oneWaySet(f, wrs, fn, inst, lf)
			if set == nil || !c.testedBefore(fn, f, cyc, w) || c.testedIn(f, cyc) || c.silent(cd, set.fn, set.instr, 0) {
				continue
			}
			c.report(w.Pos(), fmt.Sprintf("Wait on %s in %s can sleep for good: %s tests %s before its wait loop, and %s sets it (%s) under the Cond's lock and wakes %s, but the loop never tests %s again: the woken waiter finds its condition unchanged and waits again, and nothing wakes it after the close (test %s in the loop, after each Wait)",
				cd.name, fnName(fn), fnName(fn), f.Name(), fnName(set.fn), c.at(set.instr.Pos(), w.Pos()), cd.name, f.Name(), f.Name()),
				analysis.RelatedInformation{Pos: set.instr.Pos(), Message: "the one-way state is set here, and the Cond woken after it"})
			break
		}
	}
}

// oneWaySet returns the store that sets f, a one-way state (a bool only
// set true, an error only set non-nil), of the struct holding the Cond,
// under the Cond's lock, in a function other than fn; nil if f is no such
// state.
func (c *checker) oneWaySet(f *types.Var, wrs []*write, fn *ssa.Function, inst ssa.Value, lf *lockFlows) *write {
	isErr := types.Identical(f.Type(), types.Universe.Lookup("error").Type())
	if !isBool(f.Type()) && !isErr {
		return nil
	}
	var set *write
	for _, wr := range wrs {
		k, isConst := wr.val.(*ssa.Const)
		if isErr && (wr.val == nil || isConst && k.IsNil()) || !isErr && (!isConst || k.Value == nil || k.Value.Kind() != constant.Bool || !constant.BoolVal(k.Value)) {
			return nil // set back, or to a computed value
		}
		st, ok := wr.instr.(*ssa.Store)
		if !ok || set != nil || wr.fn == fn || !lf.at(wr.instr).must {
			continue
		}
		if fa, ok := st.Addr.(*ssa.FieldAddr); ok && types.Identical(fa.X.Type(), inst.Type()) {
			set = wr
		}
	}
	return set
}

// testedBefore reports whether fn reads f in a block outside cyc that
// dominates w: the state is checked on the way into the wait loop.
func (c *checker) testedBefore(fn *ssa.Function, f *types.Var, cyc map[*ssa.BasicBlock]bool, w ssa.Instruction) bool {
	for _, b := range fn.Blocks {
		if cyc[b] || !b.Dominates(w.Block()) {
			continue
		}
		for _, instr := range b.Instrs {
			if v, ok := instr.(ssa.Value); ok {
				if g, _ := fieldRead(v); g == f {
					return true
				}
			}
		}
	}
	return false
}

// testedIn reports whether the loop cyc reads f, itself or through a
// function of the package it calls that reports f.
func (c *checker) testedIn(f *types.Var, cyc map[*ssa.BasicBlock]bool) bool {
	for b := range cyc {
		for _, instr := range b.Instrs {
			if v, ok := instr.(ssa.Value); ok {
				if g, _ := fieldRead(v); g == f {
					return true
				}
			}
			if ci, ok := instr.(ssa.CallInstruction); ok {
				g := ci.Common().StaticCallee()
				if g != nil && g.Pkg != nil && g.Pkg.Pkg == c.pass.Pkg && reports(g, f, 0) {
					return true
				}
			}
		}
	}
	return false
}

// reports reports whether g (or a function it calls) returns f's state:
// it reads f, and each of its results is derived from f or a constant.
func reports(g *ssa.Function, f *types.Var, depth int) bool {
	if depth > 2 || len(g.Blocks) == 0 {
		return false
	}
	reads, pure := false, true
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			if v, ok := instr.(ssa.Value); ok {
				if h, _ := fieldRead(v); h == f {
					reads = true
				}
			}
			if ci, ok := instr.(*ssa.Call); ok {
				if h := ci.Call.StaticCallee(); h != nil && h.Pkg == g.Pkg && reports(h, f, depth+1) {
					reads = true
				}
			}
			if r, ok := instr.(*ssa.Return); ok {
				for _, v := range r.Results {
					if _, isConst := v.(*ssa.Const); !isConst && !derivedFrom(v, f, 0) && !comparesField(v, f) {
						pure = false
					}
				}
			}
		}
	}
	return reads && pure
}

// comparesField reports whether v is a comparison of f (r.err != nil).
func comparesField(v ssa.Value, f *types.Var) bool {
	b, ok := v.(*ssa.BinOp)
	return ok && (derivedFrom(b.X, f, 0) || derivedFrom(b.Y, f, 0))
}

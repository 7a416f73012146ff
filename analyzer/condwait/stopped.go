package condwait

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A consumer left behind at shutdown (kubernetes/kubernetes#28158). A
// function that lives until a stop signal (it receives from a channel
// parameter, or from a context's Done) starts a goroutine that never
// returns: from its call of a waiting function no path leads to a return.
// That waiting function waits on a private Cond in a loop that only new
// data ends (the queue it tests grows, a count rises): no flag, error,
// channel or context in the test, so no shutdown can end it. When the
// stop comes, the producers stop with it; the goroutine sleeps in Wait
// for good.

// dataOnly reports whether every condition that leaves the loop around w
// (in fn) tests data alone: a slice to fill, a count to rise.
func (c *checker) dataOnly(fn *ssa.Function, w ssa.Instruction) bool {
	cyc := innerLoop(w.Block())
	if cyc == nil {
		return false
	}
	exits := 0
	for blk := range cyc {
		last := blk.Instrs[len(blk.Instrs)-1]
		for _, s := range blk.Succs {
			if cyc[s] {
				continue
			}
			ifi, ok := last.(*ssa.If)
			if !ok {
				return false // a leaving edge the test does not explain
			}
			var out []pred
			walkCond(ifi.Cond, !cyc[blk.Succs[0]], 0, &out)
			if len(out) == 0 {
				return false // a test we cannot read: maybe a closed state
			}
			for _, p := range out {
				if !c.isData(p) {
					return false
				}
			}
			exits++
		}
	}
	return exits > 0
}

// isData reports whether p waits for data: a slice to grow, a count to
// rise, or a count to leave zero that nothing sets to another constant (a
// state, maybe a closed one).
func (c *checker) isData(p pred) bool {
	switch p.rel {
	case relGrow, relInc, relMapKey:
		return true
	case relNonNil:
		// A pointer, slice or map filled in once (a plugin's manifest,
		// a connection) and never cleared: data that comes or does not.
		// An error or other interface set non-nil is a state (maybe
		// the closed one), as is a field something sets back to nil.
		if _, isIface := p.field.Type().Underlying().(*types.Interface); isIface {
			return false
		}
		for _, wr := range c.writes[p.field] {
			if k, isConst := wr.val.(*ssa.Const); wr.delta == nil && (wr.val == nil || isConst && k.IsNil()) {
				return false
			}
		}
		return true
	case relOtherConst:
		if p.k == nil || p.k.Kind() != constant.Int || constant.Sign(p.k) != 0 {
			return false
		}
		for _, wr := range c.writes[p.field] {
			if releases(wr, p) {
				return false
			}
		}
		return true
	}
	return false
}

// neverReturns reports whether no return of fn is reachable from instr.
func neverReturns(instr ssa.Instruction) bool {
	b := instr.Block()
	rs := reach(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	rs[b] = true
	for x := range rs {
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			return false
		}
	}
	return true
}

// stopRecv returns a plain receive in fn after from of a stop signal: a
// channel parameter (or a field of the receiver) with empty elements, or
// a context's Done.
func stopRecv(fn *ssa.Function, from ssa.Instruction) *ssa.UnOp {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.UnOp)
			if !ok || u.Op != token.ARROW || !precedes(from, u) {
				continue
			}
			ch := u.X
			if call, ok := ch.(*ssa.Call); ok && isCtxMethod(&call.Call, "Done") {
				return u
			}
			if !isParam(ch) {
				continue
			}
			if c, ok := ch.Type().Underlying().(*types.Chan); ok {
				if st, ok := c.Elem().Underlying().(*types.Struct); ok && st.NumFields() == 0 {
					return u
				}
			}
		}
	}
	return nil
}

// checkStopped reports the waits of cd that a goroutine started by a
// stoppable function enters with no way out but new data.
func (c *checker) checkStopped(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	waiters := map[*ssa.Function]ssa.Instruction{}
	for _, w := range cd.waits {
		if _, ok := waiters[w.Parent()]; !ok && w.Parent().Parent() == nil && c.dataOnly(w.Parent(), w) {
			waiters[w.Parent()] = w
		}
	}
	if len(waiters) == 0 {
		return
	}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				gfn := startedFunc(g)
				if gfn == nil || gfn.Pkg != fn.Pkg {
					continue
				}
				call, w := c.endlessWaitCall(gfn, waiters)
				if call == nil {
					continue
				}
				stop := stopRecv(fn, g)
				if stop == nil {
					continue
				}
				p := waitPreds(w.Parent(), w)
				field := "its data"
				if len(p) > 0 {
					field = p[0].field.Name()
				}
				c.report(w.Pos(), fmt.Sprintf("Wait on %s in %s ends only when new data comes into %s: %s, started by %s (%s), calls %s (%s) and never returns, while %s returns once its stop signal arrives (%s); when the producers stop, nothing ends this wait and the goroutine blocks forever (give the loop a closed state it tests, set it and Broadcast %s on stop)",
					cd.name, fnName(w.Parent()), field, fnName(gfn), fnName(fn), c.at(g.Pos(), w.Pos()), fnName(w.Parent()), c.at(call.Pos(), w.Pos()), fnName(fn), c.at(stop.Pos(), w.Pos()), cd.name),
					analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine that never returns"},
					analysis.RelatedInformation{Pos: call.Pos(), Message: "its call of the waiting function"},
					analysis.RelatedInformation{Pos: stop.Pos(), Message: "the stop the goroutine never sees"})
			}
		}
	}
}

// endlessWaitCall returns a call in gfn (or in a function gfn calls) of
// one of waiters after which gfn cannot return, and the Wait.
func (c *checker) endlessWaitCall(gfn *ssa.Function, waiters map[*ssa.Function]ssa.Instruction) (ssa.Instruction, ssa.Instruction) {
	for _, b := range gfn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil {
				continue
			}
			if w, ok := waiters[callee]; ok && neverReturns(call) {
				return call, w
			}
		}
	}
	return nil, nil
}

// isParam reports whether v is a parameter of its function, or the
// variable a captured parameter is spilled to, read.
func isParam(v ssa.Value) bool {
	if _, ok := v.(*ssa.Parameter); ok {
		return true
	}
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return false
	}
	a, ok := u.X.(*ssa.Alloc)
	if !ok {
		return false
	}
	n := 0
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a {
			if _, ok := st.Val.(*ssa.Parameter); !ok {
				return false
			}
			n++
		}
	}
	return n == 1
}

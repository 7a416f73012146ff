package condwait

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// check reports the release stores of cd's waits that wake nobody, or
// whose signal can be lost.
func (c *checker) check(cd *cond) {
	for _, w := range cd.waits {
		for _, p := range waitPreds(w.Parent(), w) {
			for _, wr := range c.writes[p.field] {
				if !releases(wr, p) {
					continue
				}
				if c.checkSilent(cd, w, p, wr) {
					continue
				}
				c.checkUnlocked(cd, w, p, wr)
			}
		}
	}
}

func (c *checker) checkSilent(cd *cond, w ssa.Instruction, p pred, wr *write) bool {
	if cd.escaped || !cd.private || !c.silent(cd, wr.fn, wr.instr, 0) {
		return false
	}
	pos := wr.instr.Pos()
	c.report(pos, fmt.Sprintf("no wake-up: %s changes %s, which ends the Wait on %s in %s (%s), but nothing signals %s after the change, here or in any caller: a goroutine already in that Wait is never woken and blocks forever (Broadcast %s after changing %s)",
		fnName(wr.fn), p.field.Name(), cd.name, fnName(w.Parent()), c.at(w.Pos(), pos), cd.name, cd.name, p.field.Name()),
		analysis.RelatedInformation{Pos: w.Pos(), Message: "the Wait nothing wakes after the change"},
		analysis.RelatedInformation{Pos: p.pos, Message: "the waiter's test of " + p.field.Name()})
	return true
}

// silent reports whether nothing signals cd after from (in fn) on the way
// back to fn's callers, up to a root of the package.
func (c *checker) silent(cd *cond, fn *ssa.Function, from ssa.Instruction, depth int) bool {
	if c.covered(cd, fn, from) || c.addrOf[fn] {
		return false
	}
	sites := c.callers[fn]
	if len(sites) == 0 {
		return root(fn)
	}
	if depth >= 4 {
		return false
	}
	for _, s := range sites {
		if s.isGo {
			continue // a goroutine of its own: nothing after the go statement follows it
		}
		if !c.silent(cd, s.caller, s.instr, depth+1) {
			return false
		}
	}
	return true
}

// covered reports whether fn signals cd after from: on a path from it,
// in a deferred call, or before it while holding the Cond's lock up to it
// (the waiter cannot test the predicate in between).
func (c *checker) covered(cd *cond, fn *ssa.Function, from ssa.Instruction) bool {
	var before []ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if !c.signals(cd, instr) {
				continue
			}
			if _, ok := instr.(*ssa.Defer); ok {
				return true
			}
			before = append(before, instr)
		}
	}
	if len(before) == 0 {
		return false
	}
	found := false
	forward(from, func(instr ssa.Instruction) bool {
		if c.signals(cd, instr) {
			found = true
		}
		return !found
	})
	if found {
		return true
	}
	lf := c.flowsFor(cd)
	if !lf.at(from).must {
		return false
	}
	for _, s := range before {
		if lf.at(s).must && precedes(s, from) {
			return true
		}
	}
	return false
}

// forward calls visit on each instruction after from in its function, in
// some order, each once, while visit returns true; visit returning false
// stops the path through that instruction.
func forward(from ssa.Instruction, visit func(ssa.Instruction) bool) {
	seen := map[*ssa.BasicBlock]bool{}
	var walk func(b *ssa.BasicBlock, start int)
	walk = func(b *ssa.BasicBlock, start int) {
		for _, instr := range b.Instrs[start:] {
			if !visit(instr) {
				return
			}
		}
		for _, s := range b.Succs {
			if !seen[s] {
				seen[s] = true
				walk(s, 0)
			}
		}
	}
	b := from.Block()
	for i, instr := range b.Instrs {
		if instr == from {
			walk(b, i+1)
			return
		}
	}
}

// precedes reports whether a can run before b in one call of their
// function.
func precedes(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() {
		for _, in := range a.Block().Instrs {
			if in == a {
				return true
			}
			if in == b {
				break
			}
		}
	}
	return reach(a.Block(), func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[b.Block()]
}

// checkUnlocked reports a Signal or Broadcast that follows wr, both made
// without the Cond's lock and with no Lock between them.
func (c *checker) checkUnlocked(cd *cond, w ssa.Instruction, p pred, wr *write) {
	lf := c.flowsFor(cd)
	if !lf.at(w).must || lf.at(wr.instr).may {
		return // the lock model does not see the waiter hold it, or the change may be made under it
	}
	sig := c.unlockedSignal(cd, lf, wr.fn, wr.instr, 0)
	if sig == nil || lf.at(sig).may {
		return
	}
	verb := "Signal"
	if ci, ok := sig.(ssa.CallInstruction); ok {
		if m, _ := condMethod(ci.Common()); m != "" {
			verb = m
		}
	}
	pos := sig.Pos()
	if pos == token.NoPos {
		return
	}
	c.report(pos, fmt.Sprintf("lost wake-up: %s of %s without its lock, after %s changed %s (%s) also without it: a %s that has tested %s under the lock (%s) but not yet called Wait (%s) misses both the change and this signal, and blocks forever (change %s or signal while holding %s's lock)",
		verb, cd.name, fnName(wr.fn), p.field.Name(), c.at(wr.instr.Pos(), pos), fnName(w.Parent()), p.field.Name(), c.at(p.pos, pos), c.at(w.Pos(), pos), p.field.Name(), cd.name),
		analysis.RelatedInformation{Pos: wr.instr.Pos(), Message: "the change, made without the lock"},
		analysis.RelatedInformation{Pos: p.pos, Message: "the waiter's test, under the lock"},
		analysis.RelatedInformation{Pos: w.Pos(), Message: "the Wait the signal can miss"})
}

// unlockedSignal returns a signal of cd that follows from (in fn) with no
// Lock of its lock on the way: in fn, or, when fn returns first, after
// the call in one of its callers.
func (c *checker) unlockedSignal(cd *cond, lf *lockFlows, fn *ssa.Function, from ssa.Instruction, depth int) ssa.Instruction {
	lockers := c.lockers(cd)
	var sig, deferred ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.Defer); ok && c.signals(cd, instr) {
				deferred = instr
			}
		}
	}
	returns := false
	forward(from, func(instr ssa.Instruction) bool {
		if sig != nil {
			return false
		}
		switch in := instr.(type) {
		case *ssa.Call:
			if lockOp(&in.Call, cd.locks) > 0 {
				return false
			}
			if g := in.Call.StaticCallee(); g != nil && lockers[g] {
				return false
			}
			if c.signals(cd, in) {
				sig = in
				return false
			}
		case *ssa.Return:
			if lf.at(in).may {
				return false
			}
			if deferred != nil {
				sig = deferred
				return false
			}
			returns = true
		}
		return true
	})
	if sig != nil || !returns || depth >= 2 || c.addrOf[fn] {
		return sig
	}
	for _, s := range c.callers[fn] {
		if s.isGo || lf.at(s.instr).may {
			continue
		}
		if sig := c.unlockedSignal(cd, lf, s.caller, s.instr, depth+1); sig != nil {
			return sig
		}
	}
	return nil
}

package condwait

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// event is a change that ends a wait: a release store, the close of a
// polled channel, or a context's cancellation seen by a goroutine.
type event struct {
	fn    *ssa.Function
	instr ssa.Instruction
	does  string // "changes closed", "closes stopCh"
	did   string // "changed closed", "closed stopCh"
	what  string // "the change", "the close"
	test  string // "tested closed", "polled stopCh"
	fix   string // "changing closed", "closing stopCh"
}

// check reports the events of cd's waits that wake nobody, or whose
// signal can be lost.
func (c *checker) check(cd *cond) {
	for _, w := range cd.waits {
		for _, p := range waitPreds(w.Parent(), w) {
			switch p.rel {
			case relCtx:
				c.checkCtx(cd, w, p)
				continue
			case relClose:
				name := chanName(p.ch)
				for _, cl := range c.closesOf(w.Parent(), p.ch) {
					e := &event{fn: cl.Parent(), instr: cl, does: "closes " + name, did: "closed " + name,
						what: "the close", test: "polled " + name, fix: "closing " + name}
					if !c.checkSilent(cd, w, p, e) {
						c.checkUnlocked(cd, w, p, e)
					}
				}
				continue
			}
			for _, wr := range c.writes[p.field] {
				if wr.fn == w.Parent() || !releases(wr, p) {
					continue // the waiter's own changes are its consumption
				}
				f := p.field.Name()
				e := &event{fn: wr.fn, instr: wr.instr, does: "changes " + f, did: "changed " + f,
					what: "the change", test: "tested " + f, fix: "changing " + f}
				if !c.checkSilent(cd, w, p, e) {
					c.checkUnlocked(cd, w, p, e)
				}
			}
		}
	}
}

func (c *checker) checkSilent(cd *cond, w ssa.Instruction, p pred, e *event) bool {
	if cd.escaped || !cd.private || !c.silent(cd, e.fn, e.instr, 0) {
		return false
	}
	pos := e.instr.Pos()
	c.report(pos, fmt.Sprintf("no wake-up: %s %s, which ends the Wait on %s in %s (%s), but nothing signals %s after %s, here or in any caller: a goroutine already in that Wait is never woken and blocks forever (Broadcast %s after %s)",
		fnName(e.fn), e.does, cd.name, fnName(w.Parent()), c.at(w.Pos(), pos), cd.name, e.what, cd.name, e.fix),
		analysis.RelatedInformation{Pos: w.Pos(), Message: "the Wait nothing wakes after " + e.what},
		analysis.RelatedInformation{Pos: p.pos, Message: "the waiter's test"})
	return true
}

// checkCtx checks a wait that ends when a context is canceled: something
// must turn the cancellation into a signal (context.AfterFunc, a
// goroutine receiving from Done, a cancel followed by a signal).
func (c *checker) checkCtx(cd *cond, w ssa.Instruction, p pred) {
	if cd.escaped || !cd.private {
		return
	}
	var wakers []*event
	for _, e := range c.ctxEvents() {
		if !c.silent(cd, e.fn, e.instr, 0) {
			wakers = append(wakers, e)
		}
	}
	if c.afterFunc(cd) {
		return
	}
	if len(wakers) == 0 {
		c.report(w.Pos(), fmt.Sprintf("no wake-up: this Wait on %s ends when the context is canceled (%s), but nothing in the package signals %s on cancellation (no context.AfterFunc, no goroutine that receives from Done and signals, no cancel followed by a signal): a goroutine in this Wait when the context is canceled blocks until an unrelated signal, forever if none comes",
			cd.name, c.at(p.pos, w.Pos()), cd.name),
			analysis.RelatedInformation{Pos: p.pos, Message: "the waiter's test of its context"})
		return
	}
	for _, e := range wakers {
		c.checkUnlocked(cd, w, p, e)
	}
}

// ctxEvents returns the places the package learns of a cancellation: a
// receive from (or select on) a context's Done, a call of a CancelFunc.
func (c *checker) ctxEvents() []*event {
	if c.ctxEvs != nil {
		return *c.ctxEvs
	}
	var out []*event
	add := func(fn *ssa.Function, instr ssa.Instruction, did string) {
		out = append(out, &event{fn: fn, instr: instr, does: did, did: did, what: "the cancellation",
			test: "tested its context", fix: "seeing the cancellation"})
	}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.UnOp:
					if in.Op == token.ARROW && isDone(in.X) {
						add(fn, in, "saw the context canceled")
					}
				case *ssa.Select:
					for _, st := range in.States {
						if st.Dir == types.RecvOnly && isDone(st.Chan) {
							add(fn, in, "saw the context canceled")
							break
						}
					}
				case *ssa.Call:
					if isCancelFunc(in.Call.Value.Type()) {
						add(fn, in, "canceled the context")
					}
				}
			}
		}
	}
	c.ctxEvs = &out
	return out
}

func isCancelFunc(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && strings.HasPrefix(n.Obj().Name(), "Cancel")
}

// afterFunc reports whether the package registers a function that signals
// cd with context.AfterFunc.
func (c *checker) afterFunc(cd *cond) bool {
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" || callee.Name() != "AfterFunc" || len(call.Call.Args) != 2 {
					continue
				}
				switch f := call.Call.Args[1].(type) {
				case *ssa.MakeClosure:
					if c.signals(cd, f) {
						return true
					}
				case *ssa.Function:
					if c.signallers(cd)[f] {
						return true
					}
				}
			}
		}
	}
	return false
}

// closesOf returns the closes of the channel ch that fn polls: of the
// same field, or, for a parameter, of the channel each caller passes.
func (c *checker) closesOf(fn *ssa.Function, ch ssa.Value) []ssa.Instruction {
	var made []ssa.Value
	var field *types.Var
	if f, _ := fieldRead(ch); f != nil {
		field = f
	} else if prm, ok := ch.(*ssa.Parameter); ok {
		idx := -1
		for i, q := range fn.Params {
			if q == prm {
				idx = i
			}
		}
		for _, s := range c.callers[fn] {
			ci, ok := s.instr.(ssa.CallInstruction)
			if !ok || idx < 0 || idx >= len(ci.Common().Args) {
				continue
			}
			a := ci.Common().Args[idx]
			if ct, ok := a.(*ssa.ChangeType); ok {
				a = ct.X // a bidirectional channel passed as receive-only
			}
			if mc, ok := a.(*ssa.MakeChan); ok {
				made = append(made, mc)
			}
		}
	}
	if field == nil && len(made) == 0 {
		return nil
	}
	var out []ssa.Instruction
	for _, g := range c.funcs {
		for _, b := range g.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if bi, ok := ci.Common().Value.(*ssa.Builtin); !ok || bi.Name() != "close" || len(ci.Common().Args) != 1 {
					continue
				}
				a := ci.Common().Args[0]
				if field != nil {
					if f, _ := fieldRead(a); f == field {
						out = append(out, instr)
					}
					continue
				}
				for _, m := range made {
					if a == m {
						out = append(out, instr)
					}
				}
			}
		}
	}
	return out
}

func chanName(ch ssa.Value) string {
	if f, _ := fieldRead(ch); f != nil {
		return f.Name()
	}
	if p, ok := ch.(*ssa.Parameter); ok {
		return p.Name()
	}
	return "the channel"
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
	if _, ok := from.(*ssa.Defer); ok || len(before) == 0 {
		return false // a deferred change runs at the return, after every signal of fn but a deferred one
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
func (c *checker) checkUnlocked(cd *cond, w ssa.Instruction, p pred, wr *event) {
	lf := c.flowsFor(cd)
	if !lf.at(w).must || lf.at(wr.instr).may {
		return // the lock model does not see the waiter hold it, or the change may be made under it
	}
	sig := c.unlockedSignal(cd, lf, wr.fn, wr.instr, 0)
	if sig == nil || lf.at(sig).may || c.repaired(cd, lf, sig) {
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
	c.report(pos, fmt.Sprintf("lost wake-up: %s of %s without its lock, after %s %s (%s) also without it: a goroutine in %s that has %s under the lock (%s) but not yet called Wait (%s) misses both %s and this signal, and blocks forever (hold %s's lock while %s or signalling)",
		verb, cd.name, fnName(wr.fn), wr.did, c.at(wr.instr.Pos(), pos), fnName(w.Parent()), wr.test, c.at(p.pos, pos), c.at(w.Pos(), pos), wr.what, cd.name, wr.fix),
		analysis.RelatedInformation{Pos: wr.instr.Pos(), Message: wr.what + ", without the lock"},
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

// repaired reports whether a later signal of cd, on some path after sig in
// its function, follows an acquisition of cd's lock or is made under it.
// A waiter that missed sig holds the lock from its test until Wait
// releases it, so once the signaller has had the lock the waiter is in
// Wait, and that later signal wakes it.
func (c *checker) repaired(cd *cond, lf *lockFlows, sig ssa.Instruction) bool {
	if _, ok := sig.(*ssa.Defer); ok {
		return false // runs at the return: nothing of its function follows it
	}
	b := sig.Block()
	for i, instr := range b.Instrs {
		if instr == sig {
			return c.fencedSignal(cd, lf, b, i+1, false, map[fenceAt]bool{}, 0)
		}
	}
	return false
}

// fenceAt is a block entered with the lock taken on the way (fenced) or not.
type fenceAt struct {
	b      *ssa.BasicBlock
	fenced bool
}

// fencedSignal reports whether some path from b's start'th instruction
// signals cd after taking its lock (fenced: it was taken before b), or
// calls a function of the package that does so from its entry.
func (c *checker) fencedSignal(cd *cond, lf *lockFlows, b *ssa.BasicBlock, start int, fenced bool, seen map[fenceAt]bool, depth int) bool {
	lockers := c.lockers(cd)
	for _, instr := range b.Instrs[start:] {
		call, ok := instr.(*ssa.Call)
		if !ok {
			continue
		}
		if c.signals(cd, call) {
			if fenced || lf.at(call).must {
				return true
			}
			if g := call.Call.StaticCallee(); g != nil && depth < 2 && len(g.Blocks) > 0 &&
				c.fencedSignal(cd, lf, g.Blocks[0], 0, false, map[fenceAt]bool{}, depth+1) {
				return true
			}
		}
		if lockOp(&call.Call, cd.locks) > 0 {
			fenced = true
		} else if g := call.Call.StaticCallee(); g != nil && lockers[g] {
			fenced = true
		}
	}
	for _, s := range b.Succs {
		k := fenceAt{s, fenced}
		if seen[k] {
			continue
		}
		seen[k] = true
		if c.fencedSignal(cd, lf, s, 0, fenced, seen, depth) {
			return true
		}
	}
	return false
}

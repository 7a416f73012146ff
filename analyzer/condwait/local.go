package condwait

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A Cond a function makes for itself (c := sync.NewCond(&mu), or var c
// sync.Cond) has no field to name it: it is one instance, shared with the
// function literals that capture it. When it is used only there (its
// methods, its L, captures), every Wait and Signal of it is seen. A Wait
// on it that checks no predicate (no loop around it, and no if that skips
// it reads anything but parameters and constants) misses a Signal made
// before it; a signal made in a function literal the waiter makes before
// its Wait can come first when it is made without the Cond's lock, or
// when the waiter did not hold that lock since before it made the literal.

// localInst returns the local Cond instance v is: the sync.NewCond call or
// the Alloc of a sync.Cond variable, through captures (a free variable is
// its binding) and a variable holding the *Cond that is stored once.
func localInst(v ssa.Value, depth int) ssa.Value {
	if depth > 8 {
		return nil
	}
	switch x := v.(type) {
	case *ssa.FreeVar:
		if b := binding(x); b != nil {
			return localInst(b, depth+1)
		}
	case *ssa.Call:
		if isNewCond(x) {
			return x
		}
	case *ssa.Alloc:
		if isCond(deref(x.Type())) {
			return x
		}
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return nil
		}
		a, _ := resolve(x.X, 0).(*ssa.Alloc)
		if a == nil || !isCondPtr(deref(a.Type())) {
			return nil
		}
		var val ssa.Value
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a {
				if val != nil {
					return nil // reassigned: more than one instance
				}
				val = st.Val
			}
		}
		if val != nil {
			return localInst(val, depth+1)
		}
	}
	return nil
}

// resolve follows free variables to the values their closures bind.
func resolve(v ssa.Value, depth int) ssa.Value {
	for ; depth < 8; depth++ {
		fv, ok := v.(*ssa.FreeVar)
		if !ok {
			return v
		}
		b := binding(fv)
		if b == nil {
			return v
		}
		v = b
	}
	return v
}

// binding returns the value fv is bound to where its function literal is
// made (nil if it is made more than once or not seen).
func binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	mc := makeClosureOf(fn)
	if mc == nil {
		return nil
	}
	return chanuse.Bound(mc, fv)
}

// makeClosureOf returns the one MakeClosure of the function literal fn in
// its parent.
func makeClosureOf(fn *ssa.Function) *ssa.MakeClosure {
	p := fn.Parent()
	if p == nil {
		return nil
	}
	var mc *ssa.MakeClosure
	for _, b := range p.Blocks {
		for _, instr := range b.Instrs {
			if m, ok := instr.(*ssa.MakeClosure); ok && m.Fn == fn {
				if mc != nil {
					return nil
				}
				mc = m
			}
		}
	}
	return mc
}

func isNewCond(call *ssa.Call) bool {
	callee := call.Call.StaticCallee()
	return callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "sync" && callee.Name() == "NewCond" && len(call.Call.Args) == 1
}

// localCond is one local Cond instance and its uses.
type localCond struct {
	inst    ssa.Value
	lock    ssa.Value // the mutex given to it (resolved), if seen
	waits   []*ssa.Call
	signals []ssa.CallInstruction
	escaped bool
}

// tree returns fn and the function literals nested in it.
func tree(fn *ssa.Function) []*ssa.Function {
	out := []*ssa.Function{fn}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].AnonFuncs...)
	}
	return out
}

// checkLocal reports the lost wake-ups of local Conds.
func (c *checker) checkLocal() {
	for _, fn := range c.funcs {
		if fn.Parent() != nil {
			continue // seen with its outermost function
		}
		var insts []ssa.Value
		seen := map[ssa.Value]bool{}
		fns := tree(fn)
		for _, f := range fns {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					call, ok := instr.(*ssa.Call)
					if !ok {
						continue
					}
					if m, recv := condMethod(&call.Call); m == "Wait" {
						if in := localInst(recv, 0); in != nil && !seen[in] {
							seen[in] = true
							insts = append(insts, in)
						}
					}
				}
			}
		}
		for _, in := range insts {
			lc := c.localUses(fns, in)
			if !lc.escaped {
				c.checkLocalCond(lc)
			}
		}
	}
}

// localUses finds the Waits and signals of in, its lock, and whether it
// is used in any other way (passed to a call, stored, returned).
func (c *checker) localUses(fns []*ssa.Function, in ssa.Value) *localCond {
	lc := &localCond{inst: in}
	if call, ok := in.(*ssa.Call); ok {
		lc.lock = lockOrigin(call.Call.Args[0])
	}
	for _, f := range fns {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				var ops [8]*ssa.Value
				for i, op := range instr.Operands(ops[:0]) {
					if op == nil || *op == nil || localInst(*op, 0) != in {
						continue
					}
					switch x := instr.(type) {
					case ssa.CallInstruction:
						if m, recv := condMethod(x.Common()); m != "" && i == 1 && recv == *op {
							switch m {
							case "Wait":
								if call, ok := instr.(*ssa.Call); ok {
									lc.waits = append(lc.waits, call)
								} else {
									lc.escaped = true
								}
							case "Signal", "Broadcast":
								lc.signals = append(lc.signals, x)
							}
							continue
						}
					case *ssa.FieldAddr:
						// c.L: a lock stored into it is the Cond's lock.
						for _, r := range *x.Referrers() {
							if st, ok := r.(*ssa.Store); ok && st.Addr == x {
								lc.lock = lockOrigin(st.Val)
							}
						}
						continue
					case *ssa.MakeClosure, *ssa.UnOp, *ssa.DebugRef:
						continue
					case *ssa.Store:
						if a, ok := resolve(x.Addr, 0).(*ssa.Alloc); ok && i == 1 && isCondPtr(deref(a.Type())) {
							continue // into the variable that holds it
						}
					}
					lc.escaped = true
				}
			}
		}
	}
	return lc
}

// lockOrigin is the mutex (an Alloc, a field address, a global) v points
// to, through an interface conversion and captures.
func lockOrigin(v ssa.Value) ssa.Value {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		v = mi.X
	}
	return resolve(v, 0)
}

// localLockOp returns +1 for a Lock of lc's lock (through the Cond's L or
// the mutex given to it), -1 for its Unlock, 0 otherwise.
func (lc *localCond) lockOp(cc *ssa.CallCommon) int {
	recv, d := mutexCall(cc)
	if d == 0 {
		return 0
	}
	if u, ok := recv.(*ssa.UnOp); ok && u.Op == token.MUL {
		if fa, ok := u.X.(*ssa.FieldAddr); ok && isCondPtr(fa.X.Type()) && localInst(fa.X, 0) == lc.inst {
			return d // c.L.Lock()
		}
	}
	if lc.lock != nil && lockOrigin(recv) == lc.lock {
		return d
	}
	return 0
}

// heldAt reports whether lc's lock is held on every path from fn's entry
// to instr (fn entered without it).
func (lc *localCond) heldAt(instr ssa.Instruction) bool {
	fn := instr.Parent()
	in := map[*ssa.BasicBlock]bool{}
	out := map[*ssa.BasicBlock]bool{}
	step := func(h bool, i ssa.Instruction) bool {
		if call, ok := i.(*ssa.Call); ok {
			switch lc.lockOp(&call.Call) {
			case 1:
				return true
			case -1:
				return false
			}
		}
		return h
	}
	// Must-analysis: start from "held" everywhere but the entry, and lower.
	for _, b := range fn.Blocks {
		in[b], out[b] = true, true
	}
	for changed := true; changed; {
		changed = false
		for i, b := range fn.Blocks {
			h := i != 0
			if i != 0 {
				for _, p := range b.Preds {
					h = h && out[p]
				}
				if len(b.Preds) == 0 {
					h = false
				}
			}
			in[b] = h
			for _, x := range b.Instrs {
				h = step(h, x)
			}
			if out[b] != h {
				out[b] = h
				changed = true
			}
		}
	}
	h := in[instr.Block()]
	for _, x := range instr.Block().Instrs {
		if x == instr {
			return h
		}
		h = step(h, x)
	}
	return h
}

// noPredicate reports whether the Wait w checks no shared state: it is in
// no loop, and every if that can skip it tests only parameters and
// constants.
func noPredicate(w *ssa.Call) bool {
	b := w.Block()
	if innerLoop(b) != nil {
		return false
	}
	for d := b.Idom(); d != nil; d = d.Idom() {
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if reaches(d.Succs[0], b) == reaches(d.Succs[1], b) {
			continue
		}
		if !localOnly(ifi.Cond, 0) {
			return false
		}
	}
	// An if that does not dominate the Wait can still skip it on one
	// path: be conservative, any branch on shared state before it is a
	// test.
	for _, blk := range w.Parent().Blocks {
		if blk == b || !reaches(blk, b) {
			continue
		}
		if ifi, ok := blk.Instrs[len(blk.Instrs)-1].(*ssa.If); ok && !localOnly(ifi.Cond, 0) {
			return false
		}
	}
	return true
}

// localOnly reports whether v is computed from parameters and constants
// alone.
func localOnly(v ssa.Value, depth int) bool {
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Const, *ssa.Parameter:
		return true
	case *ssa.BinOp:
		return localOnly(x.X, depth+1) && localOnly(x.Y, depth+1)
	case *ssa.UnOp:
		return x.Op != token.MUL && x.Op != token.ARROW && localOnly(x.X, depth+1)
	}
	return false
}

// checkLocalCond reports each Wait of lc with no predicate that a signal
// made in a function literal can precede.
func (c *checker) checkLocalCond(lc *localCond) {
	for _, w := range lc.waits {
		if !noPredicate(w) {
			continue
		}
		wfn := w.Parent()
		for _, s := range lc.signals {
			// The literal made in the waiter's function that holds (or
			// is) the signalling one.
			var top *ssa.MakeClosure
			for f := s.Parent(); f != nil && f != wfn; f = f.Parent() {
				if f.Parent() == wfn {
					top = makeClosureOf(f)
					break
				}
			}
			if top == nil || !precedes(top, w) {
				continue
			}
			if inBubble(wfn) && sleepsBefore(s) {
				continue // virtual time: the sleep ends once the waiter is durably blocked in Wait
			}
			sigHeld := lc.heldAt(s)
			if sigHeld && lc.heldAt(top) {
				continue // the signaller needs the lock Wait releases
			}
			verb := "Signal"
			if m, _ := condMethod(s.Common()); m != "" {
				verb = m
			}
			name := lc.name(w)
			var why string
			if !sigHeld {
				why = fmt.Sprintf("%s (%s) calls %s without the Cond's lock, so it can run before this goroutine reaches Wait", fnName(s.Parent()), c.at(s.Pos(), w.Pos()), verb)
			} else {
				why = fmt.Sprintf("%s (%s) calls %s holding the Cond's lock, but %s made the literal (%s) before it took that lock, so the %s can come before this goroutine locks and waits", fnName(s.Parent()), c.at(s.Pos(), w.Pos()), verb, fnName(wfn), c.at(top.Fn.Pos(), w.Pos()), verb)
			}
			c.report(w.Pos(), fmt.Sprintf("lost wake-up: Wait on %s, a Cond made in %s, checks no condition and is not in a loop: %s; the signal is then lost and Wait blocks forever (wait in a loop on a condition the signaller sets under the lock, or use a channel that is closed)", name, fnName(wfn), why),
				analysis.RelatedInformation{Pos: s.Pos(), Message: "the " + verb + " that can come first"},
				analysis.RelatedInformation{Pos: top.Fn.Pos(), Message: "the function literal made before the Wait"})
			break
		}
	}
}

// name is the source name of lc's Cond at the Wait w.
func (lc *localCond) name(w *ssa.Call) string {
	recv := w.Call.Args[0]
	switch x := recv.(type) {
	case *ssa.FreeVar:
		return x.Name()
	case *ssa.UnOp:
		if a, ok := resolve(x.X, 0).(*ssa.Alloc); ok && a.Comment != "" {
			return a.Comment
		}
		if fv, ok := x.X.(*ssa.FreeVar); ok {
			return fv.Name()
		}
	case *ssa.Alloc:
		if x.Comment != "" {
			return x.Comment
		}
	}
	if n := debugName(lc.inst); n != "" {
		return n
	}
	// A literal that captures it names it.
	for _, f := range tree(w.Parent()) {
		for _, fv := range f.FreeVars {
			if localInst(fv, 0) == lc.inst {
				return fv.Name()
			}
		}
	}
	return "the Cond"
}

// debugName is the local variable v is assigned to, if the SSA says.
func debugName(v ssa.Value) string {
	refs := v.Referrers()
	if refs == nil {
		return ""
	}
	for _, r := range *refs {
		if dr, ok := r.(*ssa.DebugRef); ok {
			if id, ok := dr.Expr.(*ast.Ident); ok {
				return id.Name
			}
		}
	}
	return ""
}

// inBubble reports whether fn is (or is nested in) a function literal
// handed to testing/synctest's Run or Test: its goroutines run in a bubble
// whose clock advances only when all of them are durably blocked.
func inBubble(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		if f.Parent() == nil {
			return false
		}
		var v ssa.Value = f
		if mc := makeClosureOf(f); mc != nil {
			v = mc
		}
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			call, ok := r.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee != nil && callee.Pkg != nil && strings.HasSuffix(callee.Pkg.Pkg.Path(), "synctest") &&
				(callee.Name() == "Run" || callee.Name() == "Test") {
				return true
			}
		}
	}
	return false
}

// sleepsBefore reports whether s's function calls time.Sleep on every
// path to s.
func sleepsBefore(s ssa.Instruction) bool {
	fn := s.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "time" && callee.Name() == "Sleep" &&
				(b == s.Block() && precedes(instr, s) || b != s.Block() && b.Dominates(s.Block())) {
				return true
			}
		}
	}
	return false
}

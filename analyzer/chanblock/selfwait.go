package chanblock

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// selfWaits reports a goroutine counted by a WaitGroup that, before its
// own Done runs, waits on that same WaitGroup: directly, or through the
// package's functions it calls (up to three levels) that are handed the
// same WaitGroup or the same object holding it. The count still includes
// the goroutine's pending Done, so the Wait never returns; a Stop that
// waits while holding a lock takes every later caller with it
// (vmware/govmomi#1678: the keep-alive goroutine defers Done and calls
// Stop when a request fails; Stop waits for it). Call Done before the
// call, or run the call in a new goroutine.
func selfWaits(st *state, funcs []*ssa.Function) {
	seen := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					groupTaskWaits(st, c)
					continue
				}
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				callee := g.Call.StaticCallee()
				if callee == nil || callee.Blocks == nil || callee.Pkg != fn.Pkg || seen[callee] {
					continue
				}
				seen[callee] = true
				selfWait(st, callee)
			}
		}
	}
}

// wgKey names a WaitGroup within one function: a pointer to it (field is
// -1), or field number field of the struct base points to.
type wgKey struct {
	base  ssa.Value
	field int
}

// keyOf returns the key of WaitGroup pointer w; a load of a variable (a
// captured one, a spilled parameter) stands for the variable.
func keyOf(w ssa.Value) wgKey {
	if fa, ok := w.(*ssa.FieldAddr); ok {
		return wgKey{baseOf(fa.X), fa.Field}
	}
	return wgKey{baseOf(w), -1}
}

func baseOf(v ssa.Value) ssa.Value {
	if x := varOf(v); x != nil {
		return x
	}
	return v
}

// selfWait checks g, a function the package starts as a goroutine.
func selfWait(st *state, g *ssa.Function) {
	type done struct {
		instr    ssa.Instruction
		deferred bool
	}
	var dones []done
	var key wgKey
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			var w ssa.Value
			deferred := false
			switch in := instr.(type) {
			case *ssa.Defer:
				w, deferred = wgCall(&in.Call, "Done"), true
			case *ssa.Call:
				w = wgCall(&in.Call, "Done")
			}
			if w == nil {
				continue
			}
			k := keyOf(w)
			if len(dones) > 0 && k != key {
				return // Dones of two WaitGroups: not one count
			}
			key = k
			dones = append(dones, done{instr, deferred})
		}
	}
	if len(dones) == 0 {
		return
	}
	reportSelfWait(st, g, key, func(c *ssa.Call) bool {
		// A call after the goroutine's own Done may wait.
		for _, d := range dones {
			if !d.deferred && dominates(d.instr, c) {
				return false
			}
		}
		return true
	}, fmt.Sprintf("the goroutine's own Done (line %d)", st.pass.Fset.Position(dones[0].instr.Pos()).Line), dones[0].instr.Pos())
}

// groupTaskWaits checks a task handed to WaitGroup.Go (Go 1.25): its
// Done runs when the task function returns, so every call the task makes
// runs with the task still counted, and one that reaches a Wait on the
// same WaitGroup waits for itself (mulgadc/spinifex#625: the daemon's
// startCluster, a task of shutdownWg, ends by awaiting the shutdown, which
// waits on shutdownWg). The task is a literal (or a bound method) that
// captures the WaitGroup or the object holding it.
func groupTaskWaits(st *state, c *ssa.Call) {
	w := wgCall(&c.Call, "Go")
	if w == nil || len(c.Call.Args) != 2 {
		return
	}
	mk, ok := c.Call.Args[1].(*ssa.MakeClosure)
	if !ok {
		return
	}
	task := mk.Fn.(*ssa.Function)
	if task.Blocks == nil || task.Pkg != c.Parent().Pkg {
		return
	}
	outer := keyOf(w)
	var inner ssa.Value
	for i, b := range mk.Bindings {
		if b == outer.base || baseOf(b) == outer.base {
			inner = task.FreeVars[i]
		}
	}
	if inner == nil {
		return
	}
	reportSelfWait(st, task, wgKey{baseOf(inner), outer.field}, func(*ssa.Call) bool { return true },
		fmt.Sprintf("the task's own Done (when it returns; started by WaitGroup.Go at line %d)", st.pass.Fset.Position(c.Pos()).Line), c.Pos())
}

// reportSelfWait reports the first call of g before its Done (pending
// says which) that waits on the WaitGroup key names; done is where the
// Done is (or the call that starts the task).
func reportSelfWait(st *state, g *ssa.Function, key wgKey, pending func(*ssa.Call) bool, doneWhat string, done token.Pos) {
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok || !pending(c) {
				continue
			}
			wait := waitsOn(c, key, 0)
			if wait == nil {
				continue
			}
			what := "this call waits"
			if wait != ssa.Instruction(c) {
				what = fmt.Sprintf("this call reaches a Wait (line %d)", st.pass.Fset.Position(wait.Pos()).Line)
			}
			st.Report(analysis.Diagnostic{
				Pos:      c.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s on the WaitGroup that counts this goroutine, before %s has run: the Wait counts the caller itself and never returns (call Done first, or make the call in a new goroutine)",
					what, doneWhat),
				Related: []analysis.RelatedInformation{
					{Pos: wait.Pos(), Message: "waits here on the same WaitGroup"},
					{Pos: done, Message: "the goroutine's Done, still pending at the Wait"},
				},
			})
			return
		}
	}
}

// waitsOn returns the Wait on the WaitGroup key names that call c makes,
// itself or through the package's functions it calls with that
// WaitGroup (or the object holding it) as an argument or a captured
// variable, depth levels below; nil when there is none.
func waitsOn(c *ssa.Call, key wgKey, depth int) ssa.Instruction {
	if w := wgCall(&c.Call, "Wait"); w != nil {
		if keyOf(w) == key {
			return c
		}
		return nil
	}
	if depth >= 3 || c.Call.IsInvoke() {
		return nil
	}
	callee := c.Call.StaticCallee()
	mk := closureOf(c.Call.Value)
	if mk != nil {
		callee = mk.Fn.(*ssa.Function)
	}
	if callee == nil || callee.Blocks == nil || callee.Pkg != c.Parent().Pkg {
		return nil
	}
	// The callee's name for the base: the parameter it is passed as, or
	// the variable a literal captures it in.
	var inner ssa.Value
	for i, a := range c.Call.Args {
		if baseOf(a) == key.base && i < len(callee.Params) {
			inner = callee.Params[i]
		}
	}
	if mk != nil {
		outer := key.base
		if fv, ok := key.base.(*ssa.FreeVar); ok && mk.Parent() != fv.Parent() {
			outer = baseOf(boundIn(fv))
		}
		for i, b := range mk.Bindings {
			if b == key.base || baseOf(b) == outer {
				inner = callee.FreeVars[i]
			}
		}
	}
	if inner == nil {
		return nil
	}
	k := wgKey{baseOf(inner), key.field}
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			if in, ok := instr.(*ssa.Call); ok {
				if w := waitsOn(in, k, depth+1); w != nil {
					return w
				}
			}
		}
	}
	return nil
}

// boundIn returns the value the function enclosing fv's literal binds to
// fv, when it makes the literal once; nil otherwise.
func boundIn(fv *ssa.FreeVar) ssa.Value {
	lit := fv.Parent()
	mk, ok := literalSite(lit).(*ssa.MakeClosure)
	if !ok {
		return nil
	}
	for i, f := range lit.FreeVars {
		if f == fv {
			return mk.Bindings[i]
		}
	}
	return nil
}

// closureOf returns the function literal v calls: made here, or kept in
// a variable (of this function, or one a literal captures) that only
// that literal is stored in (a shutdown helper in a local).
func closureOf(v ssa.Value) *ssa.MakeClosure {
	if mk, ok := v.(*ssa.MakeClosure); ok {
		return mk
	}
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil
	}
	a := u.X
	if fv, ok := a.(*ssa.FreeVar); ok {
		a = boundIn(fv)
	}
	alloc, ok := a.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var mk *ssa.MakeClosure
	for _, r := range *alloc.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Addr != alloc {
			continue
		}
		m, ok := st.Val.(*ssa.MakeClosure)
		if !ok || mk != nil {
			return nil
		}
		mk = m
	}
	return mk
}

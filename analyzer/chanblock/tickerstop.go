package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stoppedTickers reports a goroutine that waits on a time.Ticker's (or
// Timer's) channel in a loop it never leaves (neverReturns), while the
// function that starts it stops that ticker, itself or in a function
// literal it makes: Stop does not close C, so after the Stop meant to end
// the loop the goroutine waits forever, one per start
// (i-love-flamingo/flamingo-commerce#290: TryLock starts `for range
// ticker.C { refresh }` and the unlock function it returns only stops
// the ticker). The ticker is a local variable of the starter, captured
// by the goroutine's literal or passed to a function of the package.
func stoppedTickers(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					stoppedTicker(st, g)
				}
			}
		}
	}
}

// stoppedTicker checks the goroutine g starts.
func stoppedTicker(st *state, g *ssa.Go) {
	fn := g.Call.StaticCallee()
	mk, _ := g.Call.Value.(*ssa.MakeClosure)
	if mk != nil {
		fn = mk.Fn.(*ssa.Function)
	}
	if fn == nil || fn.Pkg != g.Parent().Pkg || len(fn.Blocks) == 0 || !neverReturns(fn) {
		return
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.UnOp)
			if !ok || u.Op != token.ARROW || !chanuse.NeverClosed(u.X) {
				continue
			}
			load, ok := u.X.(*ssa.UnOp) // *t.C
			if !ok {
				continue
			}
			root := starterTicker(load.X.(*ssa.FieldAddr).X, g, mk)
			if root == nil {
				continue
			}
			stop := stopOf(g.Parent(), fn, root)
			if stop == nil {
				continue
			}
			st.Report(analysis.Diagnostic{
				Pos:      u.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line %d: Stop does not close the channel, so once stopped the goroutine waits forever (select on a done channel closed beside the Stop)",
					st.pass.Fset.Position(stop.Pos()).Line),
				Related: []analysis.RelatedInformation{
					{Pos: stop.Pos(), Message: "the ticker is stopped here; nothing tells the goroutine"},
					{Pos: g.Pos(), Message: "the goroutine is started here"},
				},
			})
			return
		}
	}
}

// starterTicker returns the value of g's function that t, a ticker in
// the goroutine's function, is: the variable or value a literal captures,
// or the argument given for a parameter; nil for anything else.
func starterTicker(t ssa.Value, g *ssa.Go, mk *ssa.MakeClosure) ssa.Value {
	if u, ok := t.(*ssa.UnOp); ok && u.Op == token.MUL {
		t = u.X
	}
	switch v := t.(type) {
	case *ssa.FreeVar:
		if mk == nil {
			return nil
		}
		for i, fv := range mk.Fn.(*ssa.Function).FreeVars {
			if fv == v {
				return localTicker(mk.Bindings[i])
			}
		}
	case *ssa.Parameter:
		if mk != nil {
			return nil
		}
		for i, p := range g.Call.StaticCallee().Params {
			if p == v && i < len(g.Call.Args) {
				return localTicker(g.Call.Args[i])
			}
		}
	}
	return nil
}

// localTicker returns v, a ticker of the starter, as the local it is: the
// variable (an Alloc, loaded or captured) or the time.NewTicker or
// time.NewTimer call; nil for a field, a parameter or anything else.
func localTicker(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch x := v.(type) {
	case *ssa.Alloc:
		return x
	case *ssa.Call:
		if f := x.Call.StaticCallee(); f != nil && f.Pkg != nil && f.Pkg.Pkg.Path() == "time" && (f.Name() == "NewTicker" || f.Name() == "NewTimer") {
			return x
		}
	}
	return nil
}

// stopOf returns a Stop (called or deferred) on ticker root made by
// starter or by a function literal nested in it, other than the
// goroutine's function g.
func stopOf(starter, g *ssa.Function, root ssa.Value) ssa.CallInstruction {
	var find func(fn *ssa.Function, local func(ssa.Value) ssa.Value) ssa.CallInstruction
	find = func(fn *ssa.Function, local func(ssa.Value) ssa.Value) ssa.CallInstruction {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case ssa.CallInstruction:
					c := in.Common()
					f := c.StaticCallee()
					if f == nil || f.Name() != "Stop" || len(c.Args) != 1 || !isTimeTicker(c.Args[0].Type()) {
						continue
					}
					if local(c.Args[0]) == root {
						return in
					}
				}
			}
		}
		for _, anon := range fn.AnonFuncs {
			if anon == g {
				continue
			}
			if c := find(anon, func(v ssa.Value) ssa.Value { return capturedTicker(v, local) }); c != nil {
				return c
			}
		}
		return nil
	}
	return find(starter, localTicker)
}

// capturedTicker is localTicker for a function literal: a variable it
// captures is the one its enclosing function binds, resolved there by
// outer.
func capturedTicker(v ssa.Value, outer func(ssa.Value) ssa.Value) ssa.Value {
	if b := bindingOf(v); b != nil {
		return outer(b)
	}
	return nil
}

// isTimeTicker reports whether t is *time.Ticker or *time.Timer.
func isTimeTicker(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" &&
		(n.Obj().Name() == "Ticker" || n.Obj().Name() == "Timer")
}

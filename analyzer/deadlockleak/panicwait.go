package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The deferred Wait that holds up a panic (kubernetes/kubernetes#93641):
// a function defers a WaitGroup's Wait (or the Wait of a small group type
// of the package wrapping one), starts goroutines on that group handing
// them a stop channel or context it was passed, and expects panics: it
// defers a handler that recovers and panics again (a HandleCrash), or
// calls a function that runs its work under one. A panic unwinding the
// function runs the deferred Wait before it can reach the caller, and the
// goroutines stop only when the caller closes the stop channel or cancels
// the context, which the caller cannot do while the panic is held: the
// process hangs in Wait instead of crashing. The fix recovers and panics
// again in the deferred function before waiting, so only a normal return
// waits.

// panicWaits reports the rule in fn.
func panicWaits(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	var waits []*ssa.Defer
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok && groupWait(d.Common()) != nil {
				waits = append(waits, d)
			}
		}
	}
	if len(waits) == 0 {
		return
	}
	var handler ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Defer:
				if handler == nil && rePanics(deferredFunc(in.Common()), 1) {
					handler = in
				}
			case *ssa.Call:
				if handler == nil && runsUnderHandler(in.Common()) {
					handler = in
				}
			}
		}
	}
	if handler == nil {
		return
	}
	for _, d := range waits {
		g := resolve(groupWait(d.Common()), closures)
		stop, start := stopHanded(fn, g, closures)
		if stop == nil {
			continue
		}
		pass.Report(analysis.Diagnostic{
			Pos:      d.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("a panic in %s (it expects them: a handler at %s re-raises them) runs this deferred Wait first, and the goroutines it waits for (started at %s) stop only when %s, passed to %s, is closed or canceled by the caller the panic never returns to: the panic hangs in Wait instead of crashing (recover and re-panic before waiting)",
				fn.Name(), at(pass, handler.Pos(), d.Pos()), at(pass, start.Pos(), d.Pos()), stop.Name(), fn.Name()),
			Related: []analysis.RelatedInformation{
				{Pos: handler.Pos(), Message: "panics are re-raised here"},
				{Pos: start.Pos(), Message: "the goroutines are started here, with " + stop.Name()},
			},
		})
	}
}

// groupWait returns the group c waits on: the receiver of a
// (*sync.WaitGroup).Wait call, or of a method Wait of a type of the
// package whose body waits on a WaitGroup field of that receiver.
func groupWait(c *ssa.CallCommon) ssa.Value {
	if r := wgCall(c, "Wait"); r != nil {
		return r
	}
	f := c.StaticCallee()
	if f == nil || f.Name() != "Wait" || f.Signature.Recv() == nil || len(c.Args) != 1 || len(f.Params) != 1 || f.Blocks == nil {
		return nil
	}
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				if r := wgCall(ci.Common(), "Wait"); r != nil {
					if fa, ok := r.(*ssa.FieldAddr); ok && fa.X == f.Params[0] {
						return c.Args[0]
					}
				}
			}
		}
	}
	return nil
}

// deferredFunc returns the function c runs, if the package has its body.
func deferredFunc(c *ssa.CallCommon) *ssa.Function {
	switch v := c.Value.(type) {
	case *ssa.Function:
		if v.Blocks != nil {
			return v
		}
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	}
	return nil
}

// rePanics reports whether fn recovers and panics again (a crash handler
// that logs and re-raises), or calls, to depth, a function that does.
func rePanics(fn *ssa.Function, depth int) bool {
	if fn == nil {
		return false
	}
	recovers, panics := false, false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Panic:
				panics = true
			case *ssa.Call:
				if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "recover" {
					recovers = true
				} else if depth > 0 && rePanics(deferredFunc(in.Common()), depth-1) {
					return true
				}
			}
		}
	}
	return recovers && panics
}

// runsUnderHandler reports whether c calls a function of the package that
// runs work under a deferred re-panicking handler (wait.Until wrapping
// each call in HandleCrash): it, or a function literal in it, defers one.
func runsUnderHandler(c *ssa.CallCommon) bool {
	f := c.StaticCallee()
	if f == nil || f.Blocks == nil {
		return false
	}
	fns := append([]*ssa.Function{f}, f.AnonFuncs...)
	for _, fn := range fns {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if d, ok := instr.(*ssa.Defer); ok && rePanics(deferredFunc(d.Common()), 1) {
					return true
				}
			}
		}
	}
	return false
}

// stopHanded returns a parameter of fn, a channel or a context, that fn
// hands to a goroutine of group g: an argument of a method call on g (a
// Start taking the stop channel), or captured by a goroutine fn starts
// that calls Done on g. It returns the call or go statement too.
func stopHanded(fn *ssa.Function, g ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) (*ssa.Parameter, ssa.Instruction) {
	if g == nil {
		return nil, nil
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Call:
				c := in.Common()
				f := c.StaticCallee()
				if f == nil || f.Signature.Recv() == nil || len(c.Args) < 2 || !sameGroup(resolve(c.Args[0], closures), g, closures) || f.Name() == "Wait" {
					continue
				}
				for _, a := range c.Args[1:] {
					if p := stopParam(resolve(a, closures), fn); p != nil {
						return p, in
					}
				}
			case *ssa.Go:
				mc, ok := in.Call.Value.(*ssa.MakeClosure)
				if !ok {
					continue
				}
				body := mc.Fn.(*ssa.Function)
				done := false
				for _, wg := range wgDones(body) {
					if sameGroup(resolve(wg, closures), g, closures) {
						done = true
					}
				}
				if !done {
					continue
				}
				for _, bv := range mc.Bindings {
					if a, ok := bv.(*ssa.Alloc); ok {
						bv = storedIn(a) // a captured parameter's cell
					}
					if p := stopParam(bv, fn); p != nil && waitsFor(body, p, closures) {
						return p, in
					}
				}
			}
		}
	}
	return nil, nil
}

// waitsFor reports whether body receives from stop, or from its Done when
// it is a context (plainly or in a select), so that it waits for it.
func waitsFor(body *ssa.Function, stop *ssa.Parameter, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	is := func(ch ssa.Value) bool {
		if c := doneOf(ch); c != nil {
			ch = c
		}
		return resolve(ch, closures) == stop
	}
	for _, b := range body.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && is(in.X) {
					return true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir == types.RecvOnly && is(st.Chan) {
						return true
					}
				}
			}
		}
	}
	return false
}

// stopParam returns v when it is a parameter of fn that is a channel or a
// context.Context, else nil.
func stopParam(v ssa.Value, fn *ssa.Function) *ssa.Parameter {
	p, ok := v.(*ssa.Parameter)
	if !ok || p.Parent() != fn {
		return nil
	}
	switch p.Type().Underlying().(type) {
	case *types.Chan:
		return p
	case *types.Interface:
		if n, ok := types.Unalias(p.Type()).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return p
		}
	}
	return nil
}

// sameGroup reports whether a and b, resolved, are the same group: the
// same value, or the same field of the same struct (s.wg in a function
// and in a closure of it).
func sameGroup(a, b ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	if a == b {
		return a != nil
	}
	fa, ok1 := a.(*ssa.FieldAddr)
	fb, ok2 := b.(*ssa.FieldAddr)
	if !ok1 || !ok2 || fa.Field != fb.Field || !types.Identical(fa.X.Type(), fb.X.Type()) {
		return false
	}
	x, y := resolve(fa.X, closures), resolve(fb.X, closures)
	return x != nil && x == y
}

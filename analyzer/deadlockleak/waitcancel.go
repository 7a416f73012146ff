package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The Wait before the cancel: the goroutine of the never-canceled rule
// (its only way out is a context's Done) calls Done on a WaitGroup, and
// its context comes from context.WithCancel (or WithCancelCause), whose
// cancel is called only by the function that waits on that WaitGroup,
// and only after the Wait: a plain cancel() after a plain Wait, a
// deferred cancel with a plain Wait, or a cancel deferred before the
// deferred Wait (deferred calls run last in, first out, so the Wait runs
// first). The goroutine waits for the cancel, the cancel for the Wait:
// the Wait blocks until the parent context ends. The cancel is followed
// as the local the function itself made, or through the struct field it
// is stored in (Start keeps it, Stop waits and then cancels); the
// WaitGroup as a local of the function or a field (every call of the
// stored cancel is then in the waiting function).

// waitsBeforeCancel reports the Waits of that rule for goroutine g (its
// body, started in fn), whose only way out is the Done of ctx, a value of
// function in.
func waitsBeforeCancel(pass *analysis.Pass, funcs []*ssa.Function, g *ssa.Go, body, fn *ssa.Function, ctx ssa.Value, in *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure, seen map[ssa.CallInstruction]bool) {
	e, ok := ctx.(*ssa.Extract)
	if !ok || e.Index != 0 || e.Parent() != in {
		return
	}
	mk, ok := e.Tuple.(*ssa.Call)
	if !ok {
		return
	}
	callee := mk.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" || callee.Name() != "WithCancel" && callee.Name() != "WithCancelCause" {
		return
	}
	_, cancel := extracts(mk)
	if cancel == nil {
		return
	}
	waiter, calls := cancelCalls(cancel, in, funcs)
	if waiter == nil || len(calls) == 0 {
		return
	}
	for _, wg := range wgDones(body) {
		w := resolve(wg, closures)
		if p, ok := w.(*ssa.Parameter); ok && p.Parent() == body && body != fn {
			i := slices.Index(body.Params, p)
			if i < 0 || i >= len(g.Call.Args) {
				continue
			}
			w = resolve(g.Call.Args[i], closures)
		}
		var match func(ssa.Value) bool
		switch w := w.(type) {
		case *ssa.Alloc:
			if w.Parent() != waiter {
				continue
			}
			match = is(w)
		case *ssa.FieldAddr:
			f := chanuse.StructFieldOf(w)
			if f == nil {
				continue
			}
			match = func(v ssa.Value) bool {
				fa, ok := v.(*ssa.FieldAddr)
				return ok && chanuse.StructFieldOf(fa) == f
			}
		default:
			continue
		}
		for _, b := range waiter.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok || seen[ci] {
					continue
				}
				if _, isGo := instr.(*ssa.Go); isGo {
					continue
				}
				recv := wgCall(ci.Common(), "Wait")
				if recv == nil || !match(resolve(recv, closures)) {
					continue
				}
				late := cancelAfter(ci, calls)
				if late == nil {
					continue
				}
				seen[ci] = true
				how := "this Wait"
				order := "runs only after it"
				if _, ok := ci.(*ssa.Defer); ok {
					how = "this deferred Wait"
					order = "is deferred before it, so it runs after it (deferred calls run last in, first out)"
				} else if _, ok := late.(*ssa.Defer); ok {
					order = "is deferred, so it runs only after it"
				}
				until := "until the parent context ends"
				if len(mk.Call.Args) > 0 {
					if bg, _ := backgroundFor(mk.Call.Args[0], in, nil, closures, 0); bg != nil {
						until = "forever (its parent is " + bgName(bg) + ")"
					}
				}
				pass.Report(analysis.Diagnostic{
					Pos:      ci.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("%s waits for a goroutine (started at %s) that can only end when its context is done, and the context's cancel (%s) %s: the Wait blocks %s (cancel before waiting)",
						how, at(pass, g.Pos(), ci.Pos()), at(pass, late.Pos(), ci.Pos()), order, until),
					Related: []analysis.RelatedInformation{
						{Pos: g.Pos(), Message: "the goroutine is started here"},
						{Pos: mk.Pos(), Message: "the context is made here"},
						{Pos: late.Pos(), Message: "the cancel, too late"},
					},
				})
			}
		}
	}
}

// cancelCalls returns the calls (plain or deferred) of cancel and the one
// function they are all in: cancel itself called in in, or the struct
// field it is stored in, called through loads of it. Nil when cancel is
// used otherwise (handed on, captured), or called in several functions.
func cancelCalls(cancel ssa.Value, in *ssa.Function, funcs []*ssa.Function) (*ssa.Function, []ssa.CallInstruction) {
	var calls []ssa.CallInstruction
	var field *types.Var
	for _, r := range *cancel.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Call, *ssa.Defer:
			c := r.(ssa.CallInstruction)
			if c.Common().Value != cancel {
				return nil, nil
			}
			calls = append(calls, c)
		case *ssa.Store:
			fa, ok := r.Addr.(*ssa.FieldAddr)
			if !ok || r.Val != cancel || field != nil {
				return nil, nil
			}
			field = chanuse.StructFieldOf(fa)
			if field == nil {
				return nil, nil
			}
		default:
			return nil, nil
		}
	}
	waiter := in
	if field != nil {
		if len(calls) > 0 {
			return nil, nil
		}
		// Every load of the field in the package is a call of it.
		waiter = nil
		fieldCalls, ok := loadsOf(funcs, field)
		if !ok {
			return nil, nil
		}
		for _, c := range fieldCalls {
			if waiter != nil && c.Parent() != waiter {
				return nil, nil
			}
			waiter = c.Parent()
		}
		calls = fieldCalls
	}
	return waiter, calls
}

// cancelAfter returns a call of calls showing that every cancel in the
// waiting function comes after Wait w; nil when one may come before it
// (a plain call that can reach a plain Wait, any plain call before a
// deferred Wait, a cancel deferred after a deferred Wait).
func cancelAfter(w ssa.CallInstruction, calls []ssa.CallInstruction) ssa.CallInstruction {
	_, deferredWait := w.(*ssa.Defer)
	var late ssa.CallInstruction
	for _, c := range calls {
		if c.Parent() != w.Parent() {
			return nil
		}
		_, deferred := c.(*ssa.Defer)
		switch {
		case !deferredWait && deferred:
			// runs at the return, after the Wait
		case !deferredWait:
			if mayPrecede(c, w) {
				return nil
			}
		case deferred:
			if !mayPrecede(c, w) || mayPrecede(w, c) {
				return nil // deferred after the Wait: runs first
			}
		default:
			return nil // a plain cancel before the deferred Wait runs
		}
		if late == nil {
			late = c
		}
	}
	return late
}

// mayPrecede reports whether a can run before b in their function: earlier
// in the same block, or in a block from which b's block can be reached.
func mayPrecede(a, b ssa.Instruction) bool {
	ab, bb := a.Block(), b.Block()
	if ab == bb {
		if slices.Index(ab.Instrs, a) < slices.Index(bb.Instrs, b) {
			return true
		}
	}
	return ssaloop.Reaches(ab, bb)
}

// loadsOf returns the calls of the function stored in field f, when every
// use of the field in funcs is a store into it, a nil test or such a call.
func loadsOf(funcs []*ssa.Function, f *types.Var) ([]ssa.CallInstruction, bool) {
	var calls []ssa.CallInstruction
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok || chanuse.StructFieldOf(fa) != f {
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if r.Addr != fa {
							return nil, false
						}
					case *ssa.UnOp:
						if r.Op != token.MUL {
							return nil, false
						}
						for _, u := range *r.Referrers() {
							switch u := u.(type) {
							case *ssa.DebugRef, *ssa.BinOp:
							case *ssa.Call, *ssa.Defer:
								c := u.(ssa.CallInstruction)
								if c.Common().Value != r {
									return nil, false
								}
								calls = append(calls, c)
							default:
								return nil, false
							}
						}
					default:
						return nil, false
					}
				}
			}
		}
	}
	return calls, true
}

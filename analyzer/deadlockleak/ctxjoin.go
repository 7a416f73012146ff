package deadlockleak

import (
	"fmt"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The Wait on a watcher of a context nobody cancels
// (sassoftware/event-provenance-registry#40): the goroutine of the
// never-canceled rule (nevercancel.go) calls Done on a sync.WaitGroup, and
// the function that holds that WaitGroup, and passes (or makes) the
// never-canceled context, waits on it, often in a defer. The goroutine
// never ends, so neither does the Wait: every return of that function,
// an early error return included, blocks forever. The WaitGroup is
// followed from the goroutine's Done to a local of the function making
// the context or a field of a struct it holds (s.wg), or to a parameter of the starter and from there to the
// argument of each of its callers that also passes a never-canceled
// context.

// joinedWaits reports the Waits that join goroutine g (the body it runs,
// started in fn) whose only way out is the Done of ctx, a value of
// function in that the never-canceled context reaches. seen keeps one
// report per Wait.
func joinedWaits(pass *analysis.Pass, g *ssa.Go, body, fn *ssa.Function, ctx ssa.Value, in *ssa.Function, callers map[*ssa.Function][]*ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, seen map[ssa.CallInstruction]bool) {
	for _, wg := range wgDones(body) {
		w := resolve(wg, closures)
		if p, ok := w.(*ssa.Parameter); ok && p.Parent() == body && body != fn {
			// go watch(ctx, &wg): the go statement's argument, in fn.
			i := slices.Index(body.Params, p)
			if i < 0 || i >= len(g.Call.Args) {
				continue
			}
			w = resolve(g.Call.Args[i], closures)
		}
		switch w := w.(type) {
		case *ssa.FieldAddr:
			// A WaitGroup field of a struct the function holding the
			// context has: s.wg, with go s.loop(ctx) or a closure on s.
			f := chanuse.StructFieldOf(w)
			base := resolve(w.X, closures)
			if p, ok := base.(*ssa.Parameter); ok && p.Parent() == body && body != fn {
				i := slices.Index(body.Params, p)
				if i < 0 || i >= len(g.Call.Args) {
					continue
				}
				base = resolve(g.Call.Args[i], closures)
			}
			if f == nil || base == nil || owner(base) != in {
				continue
			}
			if bg, _ := backgroundFor(ctx, in, callers, closures, 0); bg != nil {
				reportWaits(pass, g, in, func(v ssa.Value) bool {
					fa, ok := v.(*ssa.FieldAddr)
					return ok && chanuse.StructFieldOf(fa) == f && resolve(fa.X, closures) == base
				}, bg, closures, seen)
			}
		case *ssa.Alloc:
			// A WaitGroup local to the function that also holds the
			// context (it made it, or was passed it from a chain that
			// reaches a never-canceled one).
			if w.Parent() != in {
				continue
			}
			if bg, _ := backgroundFor(ctx, in, callers, closures, 0); bg != nil {
				reportWaits(pass, g, w.Parent(), is(w), bg, closures, seen)
			}
		case *ssa.Parameter:
			// The starter's WaitGroup and context parameters: each caller
			// passing both.
			if w.Parent() != fn || in != fn || fn.Parent() != nil {
				continue
			}
			cp, ok := ctx.(*ssa.Parameter)
			if !ok {
				continue
			}
			wi, ci := slices.Index(fn.Params, w), slices.Index(fn.Params, cp)
			if wi < 0 || ci < 0 {
				continue
			}
			for _, c := range callers[fn] {
				if wi >= len(c.Call.Args) || ci >= len(c.Call.Args) {
					continue
				}
				bg, _ := backgroundFor(c.Call.Args[ci], c.Parent(), callers, closures, 0)
				if bg == nil {
					continue
				}
				if a, ok := resolve(c.Call.Args[wi], closures).(*ssa.Alloc); ok && a.Parent() == c.Parent() {
					reportWaits(pass, g, c.Parent(), is(a), bg, closures, seen)
				}
			}
		}
	}
}

// is matches the WaitGroup v.
func is(v ssa.Value) func(ssa.Value) bool {
	return func(x ssa.Value) bool { return x == v }
}

// owner returns the function v is a parameter or an instruction of.
func owner(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.Parameter:
		return v.Parent()
	case ssa.Instruction:
		return v.Parent()
	}
	return nil
}

// reportWaits reports each Wait of fn on the WaitGroup wg matches.
func reportWaits(pass *analysis.Pass, g *ssa.Go, fn *ssa.Function, wg func(ssa.Value) bool, bg *ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, seen map[ssa.CallInstruction]bool) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok || seen[ci] {
				continue
			}
			if _, isGo := instr.(*ssa.Go); isGo {
				continue
			}
			recv := wgCall(ci.Common(), "Wait")
			if recv == nil || !wg(resolve(recv, closures)) {
				continue
			}
			seen[ci] = true
			how := "this Wait"
			if _, ok := instr.(*ssa.Defer); ok {
				how = "this deferred Wait (every return, early error returns too, runs it)"
			}
			pass.Report(analysis.Diagnostic{
				Pos:      ci.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s waits for a goroutine (started at %s) that can only end when its context is done, and that context is never canceled (%s, at %s): it blocks forever (derive the context with a cancel and call it before waiting)",
					how, at(pass, g.Pos(), ci.Pos()), bgName(bg), at(pass, bg.Pos(), ci.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: g.Pos(), Message: "the goroutine is started here"},
					{Pos: bg.Pos(), Message: "the never-canceled context is made here"},
				},
			})
		}
	}
}

// wgDones returns the WaitGroups fn calls Done on (plainly or deferred).
func wgDones(fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				// A Done that may run more than once counts tasks, not
				// the goroutine's exit (a worker's Done per job): a
				// Wait on it waits for the jobs, not for the worker.
				if _, deferred := instr.(*ssa.Defer); !deferred && ssaloop.InLoop(b) {
					continue
				}
				if recv := wgCall(ci.Common(), "Done"); recv != nil {
					out = append(out, recv)
				}
			}
		}
	}
	return out
}

// wgCall returns the receiver of c when c calls method name of
// *sync.WaitGroup, else nil.
func wgCall(c *ssa.CallCommon, name string) ssa.Value {
	f := c.StaticCallee()
	if f == nil || f.Name() != name || len(c.Args) != 1 || f.Signature.Recv() == nil {
		return nil
	}
	p, ok := f.Signature.Recv().Type().(*types.Pointer)
	if !ok {
		return nil
	}
	n, ok := p.Elem().(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync" || n.Obj().Name() != "WaitGroup" {
		return nil
	}
	return c.Args[0]
}

// bgName names the context maker bg calls ("context.Background()").
func bgName(bg *ssa.Call) string {
	if f := bg.Call.StaticCallee(); f != nil {
		return "context." + f.Name() + "()"
	}
	return "a context"
}

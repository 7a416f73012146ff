package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The end of life that waits for the caller's context
// (florianl/go-nfqueue#89): a goroutine whose only way out is the Done
// of a context that comes, through every chain of callers in the package,
// from a context parameter of an exported function nothing in the
// package calls (the caller's context, which nothing in the package can
// cancel), calls Done on a WaitGroup field of the object it belongs to,
// and a method ending that object's life (Close, Stop, Shutdown and the
// like) waits on that field. Closing the object does not end the
// goroutine: the method blocks until the caller happens to cancel the
// context it once passed, and forever when it never does. Reported at the
// Wait.

// callerCtxJoins reports the end-of-life Waits on goroutine g (running
// body) whose only wait, at done, is on ctx's Done, ctx a value of in.
func callerCtxJoins(pass *analysis.Pass, funcs []*ssa.Function, g *ssa.Go, body *ssa.Function, ctx ssa.Value, in *ssa.Function, done token.Pos, callers map[*ssa.Function][]*ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, seen map[ssa.CallInstruction]bool) {
	api := callerContext(ctx, in, callers, closures, 0)
	if api == nil {
		return
	}
	for _, wg := range wgDones(body) {
		fa, ok := wg.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		f := chanuse.StructFieldOf(fa)
		// The WaitGroup is the object's own: a field of the receiver of
		// the method the goroutine is started in (or nested in).
		recv, ok := resolve(fa.X, closures).(*ssa.Parameter)
		if f == nil || !ok || recv.Parent().Signature.Recv() == nil || recv.Parent().Params[0] != recv {
			continue
		}
		for _, m := range funcs {
			if m.Signature.Recv() == nil || m.Parent() != nil || !types.Identical(m.Signature.Recv().Type(), recv.Type()) || !endsLife(m.Name()) || len(m.Params) == 0 {
				continue
			}
			for _, b := range m.Blocks {
				for _, instr := range b.Instrs {
					ci, ok := instr.(ssa.CallInstruction)
					if !ok || seen[ci] {
						continue
					}
					if _, isGo := instr.(*ssa.Go); isGo {
						continue
					}
					w, ok := wgCall(ci.Common(), "Wait").(*ssa.FieldAddr)
					if !ok || chanuse.StructFieldOf(w) != f || resolve(w.X, closures) != m.Params[0] {
						continue
					}
					seen[ci] = true
					pass.Report(analysis.Diagnostic{
						Pos:      ci.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s waits on %s for a goroutine (started at %s) that can only end when the context passed to %s is done; nothing in the package cancels that context, so %s blocks until the caller cancels it, forever if it never does (derive a context with a cancel the object keeps, and call it before waiting)",
							m.Name(), f.Name(), at(pass, g.Pos(), ci.Pos()), api.Parent().Name(), m.Name()),
						Related: []analysis.RelatedInformation{
							{Pos: done, Message: "the goroutine's only way out waits here"},
							{Pos: g.Pos(), Message: "the goroutine is started here"},
							{Pos: api.Pos(), Message: "the caller's context"},
						},
					})
				}
			}
		}
	}
}

// callerContext returns the context parameter of an exported function
// that nothing in the package calls, when v, a value of function in, is
// that parameter through every chain of in-package callers (parameters,
// captured variables); nil otherwise.
func callerContext(v ssa.Value, in *ssa.Function, callers map[*ssa.Function][]*ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, depth int) *ssa.Parameter {
	if depth > 5 {
		return nil
	}
	switch x := v.(type) {
	case *ssa.FreeVar, *ssa.UnOp:
		r := resolve(x, closures)
		if r == nil || r == v {
			return nil
		}
		return callerContext(r, in, callers, closures, depth+1)
	case *ssa.Parameter:
		fn := x.Parent()
		if fn.Parent() != nil || fn.Synthetic != "" {
			return nil // a closure's parameter: called from anywhere
		}
		idx := -1
		for i, p := range fn.Params {
			if p == x {
				idx = i
			}
		}
		cs := callers[fn]
		if len(cs) == 0 {
			if token.IsExported(fn.Name()) && !once(fn) {
				return x
			}
			return nil
		}
		var api *ssa.Parameter
		for _, call := range cs {
			if idx < 0 || idx >= len(call.Call.Args) {
				return nil
			}
			p := callerContext(call.Call.Args[idx], call.Parent(), callers, closures, depth+1)
			if p == nil || api != nil && p != api {
				return nil
			}
			api = p
		}
		return api
	}
	return nil
}

// endsLife reports whether a method of that name ends its object's life.
func endsLife(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"close", "stop", "shutdown", "terminate", "halt", "dispose", "teardown"} {
		if strings.HasPrefix(name, w) {
			return true
		}
	}
	return false
}

package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// ctxGoroutine is a goroutine started with a context: the function it
// runs, where it is started, and the context's values in that function.
type ctxGoroutine struct {
	fn    *ssa.Function
	start *ssa.Go
	at    ssa.Instruction // where the context leaves the function that made it
	vals  map[ssa.Value]bool
}

// partialCancels reports a cancel function, in a local variable, that the
// function calls on some paths only (never deferred nor handed on), while
// a goroutine was started with its context (directly, or by a helper of
// the package that gets the context) whose only way to return waits on
// ctx.Done(): on a path that returns without canceling, the goroutine
// waits until the parent context is canceled, which for
// context.Background() is never (googleapis/google-cloud-go#183).
func partialCancels(st *state, funcs []*ssa.Function) {
	var classes map[*types.Var]*chanuse.Class
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				var ctxV, cancelV *ssa.Extract
				for _, r := range *call.Referrers() {
					if ex, ok := r.(*ssa.Extract); ok {
						switch ex.Index {
						case 0:
							ctxV = ex
						case 1:
							cancelV = ex
						}
					}
				}
				notify := notifyContext(call)
				if cancelV == nil || ctxV == nil || withCancel(cancelV) == nil && !notify {
					continue
				}
				calls, ok := directCalls(cancelV)
				if !ok || len(calls) == 0 {
					continue // deferred, handed on, or never used (lostcancel)
				}
				if notify {
					partialStop(st, fn, call, calls)
					continue
				}
				var gs []*ctxGoroutine
				ctxGoroutines(ctxV, nil, 0, &gs)
				for _, g := range gs {
					if classes == nil {
						classes = chanuse.Fields(st.pass.Pkg, st.sealed, funcs)
					}
					done, ok := onlyDone(g, classes)
					if !ok {
						continue
					}
					ret := returnSkipping(g.at, calls)
					if ret == nil {
						continue
					}
					line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
					rp := ret.Pos()
					if !rp.IsValid() {
						rp = chanuse.ClosingBrace(fn)
					}
					st.Report(analysis.Diagnostic{
						Pos:      call.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s calls this context's cancel only on some paths (line %d): when it returns at line %d without canceling, the goroutine started with the context (line %d), whose only way out waits on ctx.Done(), blocks until the parent context is canceled (forever for context.Background())",
							fn.Name(), line(calls[0].Pos()), line(rp), line(g.start.Pos())),
						Related: []analysis.RelatedInformation{
							{Pos: calls[0].Pos(), Message: "cancel is called here, on another path"},
							{Pos: rp, Message: "this return skips cancel"},
							{Pos: g.start.Pos(), Message: "the goroutine waiting on ctx.Done() is started here"},
							{Pos: done, Message: "its only way out waits here"},
						},
					})
					break
				}
			}
		}
	}
}

// onlyDone reports whether g can return only once its context is done:
// with the context's Done() (and receives from private channel fields
// nothing in the package sends on or closes) never ready, no path of g's
// function returns.
func onlyDone(g *ctxGoroutine, classes map[*types.Var]*chanuse.Class) (token.Pos, bool) {
	dead := map[ssa.Value]bool{}
	done := token.NoPos
	for _, bb := range g.fn.Blocks {
		for _, in := range bb.Instrs {
			switch in := in.(type) {
			case *ssa.Call:
				if in.Call.IsInvoke() && in.Call.Method.Name() == "Done" && g.vals[in.Call.Value] {
					dead[in] = true
					if !done.IsValid() {
						done = in.Pos()
					}
				}
			case *ssa.Select:
				for _, s := range in.States {
					if s.Dir == types.RecvOnly && silentField(s.Chan, classes) {
						dead[s.Chan] = true
					}
				}
			}
		}
	}
	return done, done.IsValid() && neverReturnsWith(g.fn, dead)
}

// wrongContexts reports the goroutine stopped by the wrong context: a
// function derives a child of its context parameter and defers the
// child's cancel (whatever it starts is to end with the call), but starts
// a goroutine with the parent context whose only way to return waits on
// the parent's Done(): after the function returns the goroutine keeps
// waiting until the caller's context is canceled, one per call
// (sensu/sensu-go#1749).
func wrongContexts(st *state, funcs []*ssa.Function) {
	var classes map[*types.Var]*chanuse.Class
	for _, fn := range funcs {
		for _, p := range fn.Params {
			if !isContext(p.Type()) {
				continue
			}
			// The parameter, and loads of the variable it is spilled to
			// when a function literal captures it, where the variable
			// still holds the parameter (not a child assigned to it).
			pvals := map[ssa.Value]bool{p: true}
			for _, r := range *p.Referrers() {
				if sto, ok := r.(*ssa.Store); ok && sto.Val == p {
					if a, ok := sto.Addr.(*ssa.Alloc); ok {
						for _, u := range *a.Referrers() {
							if l, ok := u.(*ssa.UnOp); ok && l.Op == token.MUL {
								if vals, ok := chanuse.StoredBefore(a, l); ok && len(vals) == 1 && vals[0] == p {
									pvals[l] = true
								}
							}
						}
					}
				}
			}
			var deferred *ssa.Defer
			var child *ssa.Call
			var uses []ssa.Instruction
			for v := range pvals {
				uses = append(uses, *v.Referrers()...)
			}
			for _, r := range uses {
				call, ok := r.(*ssa.Call)
				if !ok || len(call.Call.Args) == 0 || !pvals[call.Call.Args[0]] {
					continue
				}
				for _, u := range *call.Referrers() {
					ex, ok := u.(*ssa.Extract)
					if !ok || ex.Index != 1 || withCancel(ex) == nil {
						continue
					}
					for _, x := range *ex.Referrers() {
						if d, ok := x.(*ssa.Defer); ok && d.Call.Value == ex {
							deferred, child = d, call
						}
					}
				}
			}
			if deferred == nil {
				continue
			}
			var gs []*ctxGoroutine
			ctxGoroutines(p, nil, 1, &gs)
			for _, g := range gs {
				if g.fn.Parent() != fn && g.start.Parent() != fn {
					continue
				}
				if classes == nil {
					classes = chanuse.Fields(st.pass.Pkg, st.sealed, funcs)
				}
				done, ok := onlyDone(g, classes)
				if !ok {
					continue
				}
				line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
				st.Report(analysis.Diagnostic{
					Pos:      g.start.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this goroutine can return only when %s, %s's context parameter, is done, but %s cancels only the child context it derives (line %d, cancel deferred at line %d): after %s returns the goroutine keeps waiting until the caller's context is canceled, and one leaks per call",
						p.Name(), fn.Name(), fn.Name(), line(child.Pos()), line(deferred.Pos()), fn.Name()),
					Related: []analysis.RelatedInformation{
						{Pos: child.Pos(), Message: "the child context, canceled when " + fn.Name() + " returns"},
						{Pos: deferred.Pos(), Message: "the deferred cancel"},
						{Pos: done, Message: "the goroutine's only way out waits on the parent's Done() here"},
					},
				})
			}
		}
	}
}

// directCalls returns the calls of the cancel function v, when every use
// of v is a plain call of it, or a capture by a local closure that is
// itself only called plainly (stop := func() { cancel(); drain() }): a
// call of the closure stands for a call of the cancel, and a path that
// calls neither skips the cancel.
func directCalls(v ssa.Value) ([]*ssa.Call, bool) {
	return callsOf(v, 0)
}

func callsOf(v ssa.Value, depth int) ([]*ssa.Call, bool) {
	var calls []*ssa.Call
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Call:
			if r.Call.Value != v {
				return nil, false
			}
			calls = append(calls, r)
		case *ssa.Store:
			// The variable a closure captures: its loads are calls of
			// the cancel, and its closures are followed as above.
			a, ok := r.Addr.(*ssa.Alloc)
			if depth > 0 || !ok || r.Val != v || a.Parent() != v.Parent() {
				return nil, false
			}
			for _, u := range *a.Referrers() {
				switch u := u.(type) {
				case *ssa.Store:
					if u.Addr != a || u.Val != v {
						return nil, false // assigned another value
					}
				case *ssa.UnOp:
					if u.Op != token.MUL {
						return nil, false
					}
					cs, ok := callsOf(u, depth+1)
					if !ok {
						return nil, false
					}
					calls = append(calls, cs...)
				case *ssa.MakeClosure:
					cs, ok := closureCalls(u)
					if !ok {
						return nil, false
					}
					calls = append(calls, cs...)
				case *ssa.DebugRef:
				default:
					return nil, false
				}
			}
		case *ssa.MakeClosure:
			cs, ok := closureCalls(r)
			if !ok {
				return nil, false
			}
			calls = append(calls, cs...)
		case *ssa.DebugRef:
		default:
			return nil, false
		}
	}
	return calls, true
}

// closureCalls returns the calls of the closure r, made in its maker's
// function, when those plain calls are its only uses.
func closureCalls(r *ssa.MakeClosure) ([]*ssa.Call, bool) {
	var calls []*ssa.Call
	for _, u := range *r.Referrers() {
		switch u := u.(type) {
		case *ssa.Call:
			if u.Call.Value != r {
				return nil, false
			}
			calls = append(calls, u)
		case *ssa.DebugRef:
		default:
			return nil, false // deferred, started, stored or handed on
		}
	}
	return calls, true
}

// ctxGoroutines collects the goroutines started with the context v: by a
// go statement (an argument, or captured by the started closure), or by a
// function of the package that v is passed to, at most two calls deep. at
// is the instruction of the outermost function where v leaves it.
func ctxGoroutines(v ssa.Value, at ssa.Instruction, depth int, out *[]*ctxGoroutine) {
	if depth > 2 {
		return
	}
	here := func(i ssa.Instruction) ssa.Instruction {
		if at != nil {
			return at
		}
		return i
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Go:
			if fn, ok := r.Call.Value.(*ssa.Function); ok && fn.Blocks != nil {
				for i, a := range r.Call.Args {
					if a == v {
						*out = append(*out, &ctxGoroutine{fn: fn, start: r, at: here(r), vals: map[ssa.Value]bool{fn.Params[i]: true}})
					}
				}
			}
		case *ssa.Call:
			fn := r.Call.StaticCallee()
			if fn == nil || fn.Blocks == nil || r.Call.IsInvoke() || fn.Pkg != v.Parent().Pkg {
				continue
			}
			for i, a := range r.Call.Args {
				if a == v && i < len(fn.Params) {
					ctxGoroutines(fn.Params[i], here(r), depth+1, out)
				}
			}
		case *ssa.Store:
			// A variable a closure captures (a spilled parameter), while
			// it holds v: the closure reads the variable, which may be
			// assigned another context (a child) before or after.
			if a, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v {
				for _, u := range *a.Referrers() {
					if mk, ok := u.(*ssa.MakeClosure); ok {
						closureGo(mk, a, v, here, out)
					}
				}
			}
		case *ssa.MakeClosure:
			closureGo(r, v, v, here, out)
		}
	}
}

// closureGo adds the goroutine mk starts when it is started by a go
// statement and binds v (the context ctx, or a variable that holds ctx
// whenever the goroutine may read it).
func closureGo(mk *ssa.MakeClosure, v, ctx ssa.Value, here func(ssa.Instruction) ssa.Instruction, out *[]*ctxGoroutine) {
	fn := mk.Fn.(*ssa.Function)
	for _, u := range *mk.Referrers() {
		g, ok := u.(*ssa.Go)
		if !ok || g.Call.Value != mk {
			continue
		}
		for i, bnd := range mk.Bindings {
			if bnd != v {
				continue
			}
			if a, ok := v.(*ssa.Alloc); ok && !chanuse.Holds(a, ctx, mk) {
				continue
			}
			fv := fn.FreeVars[i]
			vals := map[ssa.Value]bool{fv: true}
			for _, fr := range *fv.Referrers() {
				if l, ok := fr.(*ssa.UnOp); ok && l.Op == token.MUL {
					vals[l] = true
				}
			}
			*out = append(*out, &ctxGoroutine{fn: fn, start: g, at: here(g), vals: vals})
		}
	}
}

// silentField reports whether ch is a load of a private channel field
// that nothing in the package sends on or closes: a receive from it never
// proceeds.
func silentField(ch ssa.Value, classes map[*types.Var]*chanuse.Class) bool {
	u, ok := ch.(*ssa.UnOp)
	return ok && u.Op == token.MUL && classes[chanuse.StructFieldOf(u.X)].Silent()
}

// returnSkipping returns a return reachable from after from that passes
// none of calls, or nil.
func returnSkipping(from ssa.Instruction, calls []*ssa.Call) *ssa.Return {
	stop := map[ssa.Instruction]bool{}
	for _, c := range calls {
		stop[c] = true
	}
	return chanuse.ReturnAvoiding(from, func(in ssa.Instruction) bool { return stop[in] })
}

// notifyContext reports whether call is os/signal.NotifyContext, which
// starts a goroutine of its own that returns only when a signal arrives
// or the context is done; its stop function cancels the context and
// unregisters the signals.
func notifyContext(call *ssa.Call) bool {
	fn := call.Call.StaticCallee()
	return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "os/signal" && fn.Name() == "NotifyContext"
}

// partialStop reports a stop function of signal.NotifyContext, kept in a
// local, that fn calls on some paths but skips on a return: the
// goroutine NotifyContext started keeps waiting for a signal or the
// parent's Done, and the signals stay registered, one per call that
// returns there (raeperd/kickstart.go#66: the stop ran only on the signal
// branch, not when the server failed).
func partialStop(st *state, fn *ssa.Function, call *ssa.Call, calls []*ssa.Call) {
	if fn.Name() == "main" && fn.Pkg.Pkg.Name() == "main" && fn.Signature.Recv() == nil {
		return // the process ends with main
	}
	ret := returnSkipping(call, calls)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
	st.Report(analysis.Diagnostic{
		Pos:      call.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("%s calls the stop function of signal.NotifyContext only on some paths (line %d): when it returns at line %d without it, the goroutine NotifyContext started keeps waiting for a signal or the parent context's Done, and the signals stay registered (defer the stop)",
			fn.Name(), line(calls[0].Pos()), line(rp)),
		Related: []analysis.RelatedInformation{
			{Pos: calls[0].Pos(), Message: "stop is called here, on another path"},
			{Pos: rp, Message: "this return skips stop"},
		},
	})
}

package deadlockleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Goroutines that wait only for a context to end, when that context
// outlives the work they were started for.
//
// The cancellation forwarder (vanadium/core#214): a function makes a
// context (context.WithCancel and the like) and starts a goroutine that
// waits only for another context's Done and then calls the new context's
// cancel; the cancel is also handed on (returned, stored, deferred). When
// that context is canceled first, the normal case, nothing ends the
// goroutine but the other context: it waits for it forever. With the
// cancel kept in the goroutine, a forwarder of a stop channel's close is
// reported when the new context, made from a context parameter, is
// returned: it ends with its parent, and the channel may never be closed
// then (grafana/xk6-browser#238).
//
// The per-call watcher (argoproj/argo-cd#448): a function starts a
// goroutine that waits only for the Done of a context it was passed (to
// stop or close something on cancellation), and a function of the package
// calls it, again and again, from a loop with no condition (for { ... })
// or a range over a channel (a ticker, a stream of events),
// passing the same context each time: every call leaves one more goroutine
// waiting for a context the loop itself outlives.

// ctxWaits applies both rules to the package's functions.
func ctxWaits(pass *analysis.Pass, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call, classes map[*types.Var]*chanuse.Class) {
	closures := map[*ssa.Function]*ssa.MakeClosure{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					closures[mc.Fn.(*ssa.Function)] = mc
				}
			}
		}
	}
	loops := map[*ast.File][]ast.Node{}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch l := n.(type) {
			case *ast.ForStmt:
				loops[f] = append(loops[f], l)
			case *ast.RangeStmt:
				loops[f] = append(loops[f], l)
			}
			return true
		})
	}
	for _, fn := range funcs {
		forwarders(pass, fn, closures)
	}
	// The go statements that start each function: a starter run per
	// round of an accept loop (go h.serve(ctx, conn); katsubushi#28) is
	// called over and over just as a plain call is.
	starts := map[*ssa.Function][]*ssa.Go{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok && !g.Call.IsInvoke() {
					if callee := g.Call.StaticCallee(); callee != nil {
						starts[callee] = append(starts[callee], g)
					}
				}
			}
		}
	}
	// Every store into a field, to tell a context field set when its
	// struct is made from one set again later.
	fieldStores := map[*types.Var][]*ssa.Store{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
						if f := chanuse.StructFieldOf(fa); f != nil {
							fieldStores[f] = append(fieldStores[f], st)
						}
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		if fn.Parent() != nil {
			continue
		}
		watchers(pass, fn, closures, callers, starts, loops, fieldStores)
	}
	neverCanceled(pass, funcs, callers, closures, classes)
	storedCancels(pass, funcs, closures)
	groupCancels(pass, funcs)
	unpairedReleases(pass, funcs)
	fieldWaitsBeforeClose(pass, funcs, closures)
	for _, fn := range funcs {
		panicWaits(pass, fn, closures)
		waitsBeforeClose(pass, fn, closures)
		signalMembers(pass, fn, closures)
		siblingGroups(pass, fn, closures)
	}
}

// doneOf returns the context whose Done method call v is, or nil: a call
// of a method Done, on an interface or a concrete type, with no arguments
// and a receive-only chan struct{} result.
func doneOf(v ssa.Value) ssa.Value {
	call, ok := v.(*ssa.Call)
	if !ok || !isStopChan(call) || !isEmptyStructChan(call) {
		return nil
	}
	c := call.Common()
	if c.IsInvoke() {
		if c.Method.Name() == "Done" && len(c.Args) == 0 {
			return c.Value
		}
		return nil
	}
	if f := c.StaticCallee(); f != nil && f.Name() == "Done" && f.Signature.Recv() != nil && len(c.Args) == 1 {
		return c.Args[0]
	}
	return nil
}

// waits returns the channels fn waits on and its wait when fn's only
// channel operation is one blocking receive: a plain receive, or a select
// whose cases all receive, with no default. The goroutine's way out is
// one of those channels.
func waits(fn *ssa.Function) (chans []ssa.Value, wait ssa.Instruction) {
	return waitsSending(fn, false)
}

// waitsSending is waits, where plain sends of fn are let through when
// sending is set (a loop forwarding what it receives: a send can hold the
// goroutine up, never let it out).
func waitsSending(fn *ssa.Function, sending bool) (chans []ssa.Value, wait ssa.Instruction) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var cs []ssa.Value
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op != token.ARROW {
					continue
				}
				cs = []ssa.Value{in.X}
			case *ssa.Select:
				if !in.Blocking {
					return nil, nil
				}
				for _, st := range in.States {
					if st.Dir != types.RecvOnly {
						return nil, nil
					}
					cs = append(cs, st.Chan)
				}
			case *ssa.Send:
				if sending {
					continue
				}
				return nil, nil
			case *ssa.Go:
				return nil, nil
			default:
				continue
			}
			if wait != nil {
				return nil, nil // a second wait
			}
			chans, wait = cs, instr
		}
	}
	return chans, wait
}

// unresolved reports whether v is a load of a local variable that resolve
// could not follow to one stored value (assigned more than once).
func unresolved(v ssa.Value) bool {
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return false
	}
	_, isAlloc := u.X.(*ssa.Alloc)
	_, isFree := u.X.(*ssa.FreeVar)
	return isAlloc || isFree
}

// isEmptyStructChan reports whether v is a chan struct{}.
func isEmptyStructChan(v ssa.Value) bool {
	ch, ok := v.Type().Underlying().(*types.Chan)
	if !ok {
		return false
	}
	st, ok := ch.Elem().Underlying().(*types.Struct)
	return ok && st.NumFields() == 0
}

// waiter reports whether fn's only channel operation is one blocking
// receive (a plain receive, or a select with that single case) from a
// context's Done, or, when anyChan is set, from any channel; it returns
// the context (nil for another channel), the channel and the receive.
func waiter(fn *ssa.Function, anyChan bool) (ctx, ch ssa.Value, wait ssa.Instruction) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var c ssa.Value
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op != token.ARROW {
					continue
				}
				c = in.X
			case *ssa.Select:
				if !in.Blocking || len(in.States) != 1 || in.States[0].Dir != types.RecvOnly {
					return nil, nil, nil
				}
				c = in.States[0].Chan
			case *ssa.Send, *ssa.Go:
				return nil, nil, nil
			default:
				continue
			}
			if wait != nil {
				return nil, nil, nil // a second wait
			}
			ctx = doneOf(c)
			if ctx == nil && !anyChan {
				return nil, nil, nil
			}
			ch, wait = c, instr
		}
	}
	return ctx, ch, wait
}

// bound returns the value a free variable of a closure is bound to where
// the closure is made.
func bound(fv *ssa.FreeVar, closures map[*ssa.Function]*ssa.MakeClosure) ssa.Value {
	mc := closures[fv.Parent()]
	if mc == nil {
		return nil
	}
	return chanuse.Bound(mc, fv)
}

// contextMakers are the context package's functions that return a new
// context and its cancel function.
var contextMakers = map[string]bool{
	"WithCancel": true, "WithCancelCause": true, "WithTimeout": true,
	"WithTimeoutCause": true, "WithDeadline": true, "WithDeadlineCause": true,
}

// forwarders reports the cancellation forwarder in fn.
func forwarders(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" || !contextMakers[callee.Name()] {
				continue
			}
			var newCtx, cancel ssa.Value
			for _, r := range *call.Referrers() {
				if ex, ok := r.(*ssa.Extract); ok {
					switch ex.Index {
					case 0:
						newCtx = ex
					case 1:
						cancel = ex
					}
				}
			}
			if newCtx == nil || cancel == nil {
				continue
			}
			forwarder(pass, fn, call, newCtx, cancel, closures)
		}
	}
}

// fwdStart is a goroutine that waits for another context (or a stop
// channel) and then cancels a new context.
type fwdStart struct {
	g           *ssa.Go
	wait        ssa.Instruction
	what, until string // what it forwards, and what ends it
	chansOnly   bool   // it waits on stop channels only, no context
}

func forwarder(pass *analysis.Pass, fn *ssa.Function, made *ssa.Call, newCtx, cancel ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) {
	// The goroutines of fn that wait for another context and then cancel
	// the new one.
	var fwds []fwdStart
	mine := map[ssa.Instruction]bool{} // the literals (or go statements) of the forwarders
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok || g.Call.IsInvoke() {
				continue
			}
			// The forwarder's body, and how its values are seen from fn:
			// a literal's captures, or a named function's arguments (go
			// forwardQuit(ctx, m.quitCh, cancel)).
			var body *ssa.Function
			var own ssa.Instruction
			res := func(v ssa.Value) ssa.Value { return resolve(v, closures) }
			switch c := g.Call.Value.(type) {
			case *ssa.MakeClosure:
				if startedBy(c) != g {
					continue
				}
				body, own = c.Fn.(*ssa.Function), c
			case *ssa.Function:
				if c.Parent() != nil || c.Pkg != fn.Pkg || c.Blocks == nil || len(c.Params) != len(g.Call.Args) {
					continue
				}
				body, own = c, g
				res = func(v ssa.Value) ssa.Value {
					r := resolve(v, closures)
					if p, ok := r.(*ssa.Parameter); ok && p.Parent() == c {
						for i, q := range c.Params {
							if q != p {
								continue
							}
							a := g.Call.Args[i]
							if ct, ok := a.(*ssa.ChangeType); ok {
								a = ct.X // a channel passed as <-chan
							}
							return resolve(a, closures)
						}
					}
					return r
				}
			default:
				continue
			}
			chans, wait := waits(body)
			if wait == nil {
				continue
			}
			// Every case must fire from outside: another context's end,
			// or a stop channel fn neither closes nor sends on (a
			// parameter, a struct's field). A case on the new context
			// (or one made from it) ends the goroutine with the work.
			allCtx, anyCtx, foreign := true, false, true
			for _, ch := range chans {
				if ctx := doneOf(ch); ctx != nil {
					anyCtx = true
					waited := res(ctx)
					if waited == nil || unresolved(waited) || derivesFrom(waited, newCtx, 0) {
						foreign = false
					}
					continue
				}
				allCtx = false
				if !foreignChan(fn, res(ch)) {
					foreign = false
				}
			}
			if !foreign {
				continue
			}
			isCancel := func(v ssa.Value) bool { return res(v) == cancel }
			if !callsAfter(wait, isCancel) && !defers(body, isCancel) {
				continue
			}
			f := fwdStart{g, wait, "another context's end", "the other context ends", false}
			switch {
			case !anyCtx:
				f.what, f.until, f.chansOnly = "a stop channel's close", "that channel is closed", true
			case !allCtx:
				f.what, f.until = "another context's end or a stop channel's close", "one of them comes"
			}
			fwds = append(fwds, f)
			mine[own] = true
		}
	}
	if len(fwds) == 0 {
		return
	}
	// Another use of cancel: someone else may cancel the new context first.
	var other ssa.Instruction
	uses := func(v ssa.Value) {
		for _, r := range *v.Referrers() {
			if mine[r] {
				continue
			}
			if st, ok := r.(*ssa.Store); ok && st.Val == cancel {
				continue
			}
			if other == nil {
				other = r
			}
		}
	}
	uses(cancel)
	for _, r := range *cancel.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Val == cancel {
			if a, ok := st.Addr.(*ssa.Alloc); ok {
				uses(a)
			} else if other == nil {
				other = r // stored in a field: canceled from elsewhere
			}
		}
	}
	if other == nil && perRoundForwarders(pass, made, fwds) {
		return
	}
	if other == nil {
		// The cancel stays in the goroutine, but the new context can
		// still end first: with its parent, a context fn was passed,
		// while fn hands the new one to its caller. Only a wait on stop
		// channels alone is reported: a context waited on is canceled
		// by contract (vet's lostcancel), a done channel may never be
		// closed once its owner is dropped.
		if ret := parentEnds(fn, made, newCtx); ret != nil {
			for _, f := range fwds {
				if !f.chansOnly {
					continue
				}
				wait := f.wait
				line := func(p token.Pos) string { return at(pass, p, wait.Pos()) }
				pass.Report(analysis.Diagnostic{
					Pos:      wait.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this goroutine forwards %s to the context made at %s from %s's context parameter, but waits for nothing else: the new context, handed on at %s, also ends when that parent does, and then nothing ends this wait, so the goroutine leaks until %s (select on the new context's Done too)",
						f.what, line(made.Pos()), fn.Name(), line(ret.Pos()), f.until),
					Related: []analysis.RelatedInformation{
						{Pos: made.Pos(), Message: "the new context is made here, from a context the caller passes"},
						{Pos: ret.Pos(), Message: "the new context is handed on here (returned or kept in a field)"},
						{Pos: f.g.Pos(), Message: "the forwarding goroutine is started here"},
					},
				})
			}
		}
		return
	}
	for _, f := range fwds {
		wait := f.wait
		line := func(p token.Pos) string { return at(pass, p, wait.Pos()) }
		what, until := f.what, f.until
		pass.Report(analysis.Diagnostic{
			Pos:      wait.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine forwards %s to the context made at %s by calling its cancel, but waits for nothing else: the new context's cancel is also used at %s, and once it is canceled that way first nothing ends this wait, so the goroutine leaks until %s (select on the new context's Done too)",
				what, line(made.Pos()), line(other.Pos()), until),
			Related: []analysis.RelatedInformation{
				{Pos: made.Pos(), Message: "the new context and its cancel are made here"},
				{Pos: other.Pos(), Message: "its cancel is handed on here: the context can end first"},
				{Pos: f.g.Pos(), Message: "the forwarding goroutine is started here"},
			},
		})
	}
}

// perRoundForwarders reports the forwarders started on every round of a
// loop that also makes the context they forward to, when they hold its
// only cancel (kumahq/kuma#7348: a watchdog's tick makes a context and a
// goroutine that cancels it once the watchdog's stop channel closes).
// The round ends without canceling its context, and its forwarder waits
// for nothing but the stop: every round leaves one more goroutine (and
// context) until then. It reports whether it reported.
func perRoundForwarders(pass *analysis.Pass, made *ssa.Call, fwds []fwdStart) bool {
	reported := false
	for _, f := range fwds {
		gb, mb := f.g.Block(), made.Block()
		if !ssaloop.Reaches(gb, mb) || !ssaloop.Reaches(mb, gb) {
			continue // not started again with each context the loop makes
		}
		wait := f.wait
		line := func(p token.Pos) string { return at(pass, p, wait.Pos()) }
		pass.Report(analysis.Diagnostic{
			Pos:      wait.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine, started on every round of a loop, forwards %s to the round's context (made at %s) and holds its only cancel, but waits for nothing else: the round ends without canceling, so each round leaves one more goroutine waiting until %s (select on the round's context too, and cancel it when the round ends)",
				f.what, line(made.Pos()), f.until),
			Related: []analysis.RelatedInformation{
				{Pos: made.Pos(), Message: "the round's context and its cancel are made here"},
				{Pos: f.g.Pos(), Message: "the forwarding goroutine is started here, on every round"},
			},
		})
		reported = true
	}
	return reported
}

// parentEnds returns where fn hands newCtx, the context made by the call
// made, on: a return to its caller, or a store into a struct's field (a
// session keeping its context), when the parent made derives it from is a
// parameter of fn: the caller's context, which can end at any time and
// the new one with it. Else nil.
func parentEnds(fn *ssa.Function, made *ssa.Call, newCtx ssa.Value) ssa.Instruction {
	if len(made.Call.Args) == 0 {
		return nil
	}
	if _, ok := made.Call.Args[0].(*ssa.Parameter); !ok {
		return nil
	}
	for _, r := range *newCtx.Referrers() {
		switch r := r.(type) {
		case *ssa.Return:
			return r
		case *ssa.Store:
			if _, ok := r.Addr.(*ssa.FieldAddr); ok && r.Val == newCtx {
				return r
			}
		}
	}
	return nil
}

// foreignChan reports whether ch, the channel a forwarder waits on as
// seen from fn, comes from outside fn (a parameter, or a field of a struct)
// and fn does not close or send on it: nothing in fn's own course ends the
// wait.
func foreignChan(fn *ssa.Function, ch ssa.Value) bool {
	var field *types.Var
	switch v := ch.(type) {
	case *ssa.Parameter:
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if v.Op != token.MUL || !ok {
			return false
		}
		if field = chanuse.StructFieldOf(fa); field == nil {
			return false
		}
	default:
		return false
	}
	return !signals(fn, ch, field, map[*ssa.Function]bool{}, 0)
}

// signals reports whether fn, or a function of the package it calls (a
// few levels deep), closes or sends on ch (as fn sees it) or, for a
// field's channel, on that field of any instance: the work fn does ends
// the wait itself (a done channel its worker closes when it finishes).
func signals(fn *ssa.Function, ch ssa.Value, field *types.Var, seen map[*ssa.Function]bool, depth int) bool {
	if seen[fn] || depth > 3 {
		return false
	}
	seen[fn] = true
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var c ssa.Value
			switch in := instr.(type) {
			case *ssa.Send:
				c = in.Chan
			case ssa.CallInstruction:
				cc := in.Common()
				if bi, ok := cc.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					c = cc.Args[0]
				} else if callee := cc.StaticCallee(); field != nil && callee != nil && callee.Pkg == fn.Pkg && callee.Blocks != nil {
					if signals(callee, nil, field, seen, depth+1) {
						return true
					}
				}
			}
			if c == nil {
				continue
			}
			if c == ch {
				return true
			}
			if k, ok := chanKey(c).(fieldKey); ok && field != nil && k.field == field {
				return true
			}
		}
	}
	return false
}

// startedBy returns the go statement that starts closure mc, if that is
// its only use.
func startedBy(mc *ssa.MakeClosure) *ssa.Go {
	refs := *mc.Referrers()
	if len(refs) != 1 {
		return nil
	}
	g, ok := refs[0].(*ssa.Go)
	if !ok || g.Call.Value != mc {
		return nil
	}
	return g
}

// derivesFrom reports whether v is x or computed from it.
func derivesFrom(v, x ssa.Value, depth int) bool {
	if v == x {
		return true
	}
	instr, ok := v.(ssa.Instruction)
	if !ok || depth > 6 {
		return false
	}
	for _, op := range instr.Operands(nil) {
		if *op != nil && derivesFrom(*op, x, depth+1) {
			return true
		}
	}
	return false
}

// callsAfter reports whether the goroutine calls a function value that is
// after wait.
func callsAfter(wait ssa.Instruction, is func(ssa.Value) bool) bool {
	found := false
	forward(wait, func(instr ssa.Instruction) bool {
		if c, ok := instr.(*ssa.Call); ok && c.Call.StaticCallee() == nil && !c.Call.IsInvoke() && is(c.Call.Value) {
			found = true
		}
		return !found
	})
	return found
}

// defers reports whether fn defers a call of a function value that is
// accepts (defer cancel(): it runs after fn's wait, on the way out).
func defers(fn *ssa.Function, is func(ssa.Value) bool) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok && d.Call.StaticCallee() == nil && !d.Call.IsInvoke() && is(d.Call.Value) {
				return true
			}
		}
	}
	return false
}

// forward visits the instructions after from, in its block and the
// blocks it reaches, each once, while visit returns true.
func forward(from ssa.Instruction, visit func(ssa.Instruction) bool) {
	seen := map[*ssa.BasicBlock]bool{}
	var walk func(b *ssa.BasicBlock, i int) bool
	walk = func(b *ssa.BasicBlock, i int) bool {
		for _, instr := range b.Instrs[i:] {
			if !visit(instr) {
				return false
			}
		}
		for _, s := range b.Succs {
			if !seen[s] {
				seen[s] = true
				if !walk(s, 0) {
					return false
				}
			}
		}
		return true
	}
	walk(from.Block(), indexOf(from)+1)
}

// watchers reports the per-call watcher: a goroutine started (at any depth
// of closures) by fn that waits only for the Done of a context parameter
// of fn (or of a context field of a parameter, set only where its struct
// is made), where a caller calls (or starts) fn from an unbounded loop,
// passing the same context (the same struct) on every round; or where fn
// starts the watcher itself on every round of an unbounded loop of its
// own, with a context that is the same on every round.
func watchers(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure, callers map[*ssa.Function][]*ssa.Call, starts map[*ssa.Function][]*ssa.Go, loops map[*ast.File][]ast.Node, fieldStores map[*types.Var][]*ssa.Store) {
	sites := make([]ssa.CallInstruction, 0, len(callers[fn])+len(starts[fn]))
	for _, c := range callers[fn] {
		sites = append(sites, c)
	}
	for _, g := range starts[fn] {
		sites = append(sites, g)
	}
	// check reports the watcher whose only wait is the Done of ctx, a
	// value of fn: when it is fn's context parameter and a caller passes
	// the same context on every round of an unbounded loop.
	// It reports whether it did.
	check := func(ctx ssa.Value, wait ssa.Instruction) bool {
		what := ""
		r := resolve(ctx, closures)
		p, _ := r.(*ssa.Parameter)
		if p == nil {
			// A context kept in a field of a parameter (s.ctx), set only
			// where its struct is made: the same struct, the same context.
			if f, base := ctxField(r); f != nil && setAtMake(fieldStores[f]) {
				p, _ = resolve(base, closures).(*ssa.Parameter)
				if p != nil {
					what = " (field " + f.Name() + ")"
				}
			}
		}
		if p == nil || p.Parent() != fn {
			return false
		}
		idx := -1
		for i, q := range fn.Params {
			if q == p {
				idx = i
			}
		}
		for _, call := range sites {
			args := call.Common().Args
			loop := foreverLoop(pass, call, loops)
			if loop == nil || idx >= len(args) || !outside(args[idx], call) {
				continue
			}
			if c, ok := call.(*ssa.Call); ok && !repeatsOnSuccess(c) {
				continue
			}
			line := func(p token.Pos) string { return at(pass, p, wait.Pos()) }
			verb := "calls"
			if _, ok := call.(*ssa.Go); ok {
				verb = "starts"
			}
			pass.Report(analysis.Diagnostic{
				Pos:      wait.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this goroutine waits only for %s's context %s%s to end, and %s %s %s over and over from %s (%s), passing the same context: each call leaves one more goroutine waiting for a context that outlives the work it was started for (end it with that work too, e.g. select on a channel closed when it ends)",
					fn.Name(), p.Name(), what, call.Parent().Name(), verb, fn.Name(), loop.what, line(call.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: call.Pos(), Message: "called again on every round with the same context"},
					{Pos: loop.pos, Message: "the loop, which has no bound"},
				},
			})
			return true
		}
		return false
	}
	// here reports the watcher that fn starts (g, in fn itself) on every
	// round of an unbounded loop of fn, waiting for a context that is
	// the same on every round: the round's work ends, its watcher stays.
	here := func(g *ssa.Go, ctx ssa.Value, wait ssa.Instruction) bool {
		if g.Parent() != fn || !ssaloop.InLoop(g.Block()) {
			return false
		}
		loop := foreverLoop(pass, g, loops)
		if loop == nil {
			return false
		}
		r := resolve(ctx, closures)
		if r == nil {
			return false
		}
		if f, base := ctxField(r); f != nil {
			if !setAtMake(fieldStores[f]) {
				return false
			}
			r = resolve(base, closures)
		}
		if in, ok := r.(ssa.Instruction); ok && in.Parent() != fn {
			return false
		}
		if _, ok := r.(*ssa.Parameter); !ok && (!isInstr(r) || !outside(r, g)) {
			return false
		}
		if p, ok := r.(*ssa.Parameter); ok && p.Parent() != fn {
			return false
		}
		pass.Report(analysis.Diagnostic{
			Pos:      wait.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine waits only for a context to end, and %s starts it on every round of %s (%s) with the same context: each round leaves one more goroutine waiting for a context that outlives the work it was started for (end it with that work too, e.g. select on a channel closed when the round ends)",
				fn.Name(), loop.what, at(pass, loop.pos, wait.Pos())),
			Related: []analysis.RelatedInformation{
				{Pos: g.Pos(), Message: "started again on every round"},
				{Pos: loop.pos, Message: "the loop, which has no bound"},
			},
		})
		return true
	}
	var visit func(f *ssa.Function) bool
	visit = func(f *ssa.Function) bool {
		for _, anon := range f.AnonFuncs {
			if visit(anon) {
				return true
			}
			mc := closures[anon]
			if mc == nil || startedBy(mc) == nil {
				continue
			}
			if ctx, _, wait := waiter(anon, false); wait != nil && (check(ctx, wait) || here(startedBy(mc), ctx, wait)) {
				return true
			}
		}
		// A named watcher started with the context as an argument
		// (go s.closeOnDone(ctx, c)).
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok || g.Call.IsInvoke() {
					continue
				}
				w := g.Call.StaticCallee()
				if w == nil || w.Parent() != nil || w == fn || w.Pkg != fn.Pkg {
					continue
				}
				ctx, _, wait := waiter(w, false)
				if wait == nil {
					continue
				}
				for i, q := range w.Params {
					if q == ctx && i < len(g.Call.Args) && (check(g.Call.Args[i], wait) || here(g, g.Call.Args[i], wait)) {
						return true
					}
				}
			}
		}
		return false
	}
	visit(fn)
}

// setAtMake reports whether every store into a field (stores) is made
// where its struct is allocated (s := &T{ctx: ctx}, or s.ctx = ctx on a
// fresh s): the field then holds one value for each struct's life.
func setAtMake(stores []*ssa.Store) bool {
	if len(stores) == 0 {
		return false
	}
	for _, st := range stores {
		if _, ok := st.Addr.(*ssa.FieldAddr).X.(*ssa.Alloc); !ok {
			return false
		}
	}
	return true
}

// isInstr reports whether v is computed by an instruction.
func isInstr(v ssa.Value) bool {
	_, ok := v.(ssa.Instruction)
	return ok
}

// resolve follows a value read from a captured variable back to what was
// stored in it: through the free variables of nested closures to the
// variable of the function that declares it, and to the one value that
// function stores there (a parameter, a call's result).
func resolve(v ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) ssa.Value {
	for i := 0; i < 12; i++ {
		switch x := v.(type) {
		case *ssa.FreeVar:
			v = bound(x, closures)
			if v == nil {
				return nil
			}
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return v
			}
			cell := x.X
			for j := 0; j < 12; j++ {
				fv, ok := cell.(*ssa.FreeVar)
				if !ok {
					break
				}
				cell = bound(fv, closures)
			}
			a, ok := cell.(*ssa.Alloc)
			if !ok {
				return v
			}
			stored := storedIn(a)
			if stored == nil {
				return v
			}
			v = stored
		default:
			return v
		}
	}
	return v
}

// storedIn returns the only value stored in the variable a, or nil.
func storedIn(a *ssa.Alloc) ssa.Value {
	var val ssa.Value
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a {
			if val != nil {
				return nil
			}
			val = st.Val
		}
	}
	return val
}

// unbounded is a loop that only its body, or the end of a channel, ends.
type unbounded struct {
	pos  token.Pos
	what string
}

// foreverLoop returns the innermost loop statement around call when it is
// a for with no condition or a range over a channel, else nil.
func foreverLoop(pass *analysis.Pass, call ssa.Instruction, loops map[*ast.File][]ast.Node) *unbounded {
	pos := call.Pos()
	var inner ast.Node
	for f, ls := range loops {
		if pos < f.Pos() || pos > f.End() {
			continue
		}
		for _, l := range ls {
			if repeated(l, pos) && (inner == nil || l.Pos() >= inner.Pos()) {
				inner = l
			}
		}
	}
	// The loop must be in the caller's own body, not around a closure.
	if inner == nil || inner.Pos() < call.Parent().Pos() {
		return nil
	}
	switch l := inner.(type) {
	case *ast.ForStmt:
		if l.Cond == nil {
			return &unbounded{l.Pos(), "a loop with no condition"}
		}
		if ctxAlive(pass, l.Cond) {
			return &unbounded{l.Pos(), "a loop that only a context's end ends"}
		}
	case *ast.RangeStmt:
		if t := pass.TypesInfo.TypeOf(l.X); t != nil {
			if _, ok := t.Underlying().(*types.Chan); ok {
				return &unbounded{l.Pos(), "a range over a channel"}
			}
		}
	}
	return nil
}

// repeated reports whether code at pos runs once per iteration of loop l:
// in its body, condition or post statement, not in a for's init statement
// nor in the expression a range ranges over, which run once before the loop
// (for v := range src.Watch(ctx) calls Watch once).
func repeated(l ast.Node, pos token.Pos) bool {
	in := func(n ast.Node) bool { return n != nil && n.Pos() <= pos && pos < n.End() }
	switch l := l.(type) {
	case *ast.ForStmt:
		return in(l) && !in(l.Init)
	case *ast.RangeStmt:
		return in(l.Body)
	}
	return false
}

// ctxAlive reports whether cond only tests that a context is not done yet
// (ctx.Err() == nil): a loop on it is bounded by nothing but that end.
func ctxAlive(pass *analysis.Pass, cond ast.Expr) bool {
	bin, ok := ast.Unparen(cond).(*ast.BinaryExpr)
	if !ok || bin.Op != token.EQL {
		return false
	}
	call, nilSide := bin.X, bin.Y
	if id, ok := ast.Unparen(call).(*ast.Ident); ok && id.Name == "nil" {
		call, nilSide = bin.Y, bin.X
	}
	if id, ok := ast.Unparen(nilSide).(*ast.Ident); !ok || id.Name != "nil" || pass.TypesInfo.Uses[id] != types.Universe.Lookup("nil") {
		return false
	}
	ce, ok := ast.Unparen(call).(*ast.CallExpr)
	if !ok || len(ce.Args) != 0 {
		return false
	}
	sel, ok := ce.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Err" {
		return false
	}
	return isContextType(pass.TypesInfo.TypeOf(sel.X))
}

// repeatsOnSuccess reports whether the loop around call comes back to the
// call after it succeeded: when the call returns an error that the caller
// tests against nil, the branch taken on nil must lead back to the call (a
// retry loop that breaks out on success calls again only after a failure,
// which may not have started the goroutine at all).
func repeatsOnSuccess(call *ssa.Call) bool {
	res := call.Call.Signature().Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return true
	}
	var errv ssa.Value = call
	if res.Len() > 1 {
		errv = nil
		for _, r := range *call.Referrers() {
			if ex, ok := r.(*ssa.Extract); ok && ex.Index == res.Len()-1 {
				errv = ex
			}
		}
		if errv == nil {
			return true
		}
	}
	for _, r := range *errv.Referrers() {
		bin, ok := r.(*ssa.BinOp)
		if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
			continue
		}
		if c, ok := bin.Y.(*ssa.Const); !ok || !c.IsNil() {
			continue
		}
		for _, u := range *bin.Referrers() {
			iff, ok := u.(*ssa.If)
			if !ok {
				continue
			}
			succ := iff.Block().Succs[0] // err == nil
			if bin.Op == token.NEQ {
				succ = iff.Block().Succs[1]
			}
			return succ == call.Block() || reaches(succ, call.Block())
		}
	}
	return true
}

// outside reports whether v is the same on every round of the loop around
// call: a parameter, a captured or global value, a constant, or a value
// computed before the loop.
func outside(v ssa.Value, call ssa.Instruction) bool {
	switch v := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar, *ssa.Global, *ssa.Const:
		return true
	case *ssa.Phi:
		return false
	case *ssa.UnOp:
		// A variable a closure captures is a cell, loaded on each round
		// (Listen's own ctx watcher captures ctx; katsubushi#28): what
		// matters is the one value it holds from the call on.
		if a, ok := v.X.(*ssa.Alloc); ok && v.Op == token.MUL {
			vals, ok := chanuse.StoredBefore(a, call)
			return ok && len(vals) == 1 && vals[0] != v && chanuse.Holds(a, vals[0], call) && outside(vals[0], call)
		}
		return !sameCycle(v.Block(), call.Block())
	case ssa.Instruction:
		return !sameCycle(v.Block(), call.Block())
	}
	return false
}

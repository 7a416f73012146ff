package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// droppedReleases reports the release function thrown away: a function
// makes a value with a channel field (a context of its own, a
// subscription) and starts a goroutine that only waits, on channels of
// its parameters (the parent's Done) and on that value's own channel,
// which only a function value it returns closes (the cancel func). A
// caller of the package that discards every such function value leaves
// the goroutine waiting until the parent ends: for a long-lived parent,
// one more goroutine per call (facebookarchive/contest#223:
// WithCancelAndPause forwards its parent's signals from a goroutine that
// also ends on the child's cancel, and a step that only wanted pause
// dropped the cancel). This is go vet's lostcancel for cancel functions
// the package writes itself.
func droppedReleases(pass *analysis.Pass, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call) {
	for _, fn := range funcs {
		if fn.Parent() != nil || len(callers[fn]) == 0 {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				if mk, ok := g.Call.Value.(*ssa.MakeClosure); ok {
					droppedRelease(pass, fn, g, mk, callers[fn], funcs)
				}
			}
		}
	}
}

// ownChan is a channel field of a value its function makes.
type ownChan struct {
	val   ssa.Value
	field *types.Var
}

func droppedRelease(pass *analysis.Pass, fn *ssa.Function, g *ssa.Go, mk *ssa.MakeClosure, calls []*ssa.Call, funcs []*ssa.Function) {
	lit := mk.Fn.(*ssa.Function)
	var own []ownChan
	var ctxs []*ssa.Call       // context.With* calls of fn whose Done the goroutine waits on
	var locals []*ssa.MakeChan // channels fn makes that the literal captures
	addLocal := func(mc *ssa.MakeChan) {
		if !slices.Contains(locals, mc) {
			locals = append(locals, mc)
		}
	}
	outside := false
	for _, b := range lit.Blocks {
		for _, instr := range b.Instrs {
			var chans []ssa.Value
			switch in := instr.(type) {
			case *ssa.Go:
				return // not a pure waiter
			case *ssa.Send:
				// A send on a channel fn makes waits for the release
				// function to take it (lib/pq#618: the watcher reports
				// its cancel to finish); any other send is not a wait
				// followed here.
				mc := localChan(in.Chan, mk, fn)
				if mc == nil {
					return
				}
				addLocal(mc)
			case *ssa.UnOp:
				if in.Op == token.ARROW {
					chans = append(chans, in.X)
				}
			case *ssa.Select:
				if !in.Blocking {
					continue // a poll with a default waits for nothing
				}
				for _, st := range in.States {
					if st.Dir != types.RecvOnly {
						mc := localChan(st.Chan, mk, fn)
						if mc == nil {
							return
						}
						addLocal(mc)
						continue
					}
					chans = append(chans, st.Chan)
				}
			}
			for _, c := range chans {
				if o, ok := ownField(c, mk, fn); ok {
					own = append(own, o)
				} else if wc := ownContext(c, mk, fn); wc != nil {
					ctxs = append(ctxs, wc)
				} else if mc := localChan(c, mk, fn); mc != nil {
					addLocal(mc)
				} else if fromParam(c, mk, fn) {
					outside = true
				} else {
					return // a channel not followed here
				}
			}
		}
	}
	if !outside {
		return
	}
	if len(locals) > 0 {
		if len(own) == 0 && len(ctxs) == 0 {
			droppedLocal(pass, fn, g, mk, locals, calls)
		}
		return
	}
	if len(own) == 0 {
		if len(ctxs) > 0 {
			droppedCancel(pass, fn, g, ctxs, calls)
		}
		return
	}
	for _, o := range own {
		if endsItself(fn, o.field) {
			return // the function ends it itself
		}
	}
	// The results that release the goroutine: function values bound to
	// the value that close its channel.
	release := map[int]bool{}
	var relFns []*ssa.Function
	rets, relRets := 0, 0
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		rets++
		n := len(relFns)
		for i, r := range ret.Results {
			if ct, ok := r.(*ssa.ChangeType); ok {
				r = ct.X // a named func type (type CancelFunc func())
			}
			rmk, ok := r.(*ssa.MakeClosure)
			if !ok {
				continue
			}
			rf := rmk.Fn.(*ssa.Function)
			if m := boundMethod(rf); m != nil {
				rf = m // w.Stop: the method the wrapper calls
			}
			for _, o := range own {
				if bindsTo(rmk, o.val) && signalsField(rf, o.field, 0) {
					release[i] = true
					relFns = append(relFns, rf)
				}
			}
		}
		if len(relFns) > n {
			relRets++
		}
	}
	if len(release) == 0 {
		return
	}
	// Nothing else ends the wait: every function that closes or sends on
	// an own field runs for a release function or for the goroutine.
	allowed := reachedFrom(append(relFns, lit), nil, nil)
	for _, f := range funcs {
		if allowed[f] {
			continue
		}
		for _, o := range own {
			if signalsDirectly(f, o.field) {
				return
			}
		}
	}
	reportDrops(pass, fn, calls, release, rets == relRets,
		fmt.Sprintf("the function that releases the goroutine %s starts (line %d) is dropped here: that goroutine waits for it or for a signal from %s's arguments, and now only the latter can end it, leaking one goroutine per call while they live (keep the function and call it, as with a context's cancel)",
			fn.Name(), pass.Fset.Position(g.Pos()).Line, fn.Name()),
		analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine is started here"},
		analysis.RelatedInformation{Pos: own[0].val.Pos(), Message: "the value whose channel only the dropped function closes"},
		analysis.RelatedInformation{Pos: fn.Pos(), Message: "the function returning the release function"})
}

// reportDrops reports each call of fn, outside fn itself, that drops every
// result in release, with msg and the related positions; and each call
// that keeps a release result but reaches a return on a path that neither
// calls it nor hands it on (lib/pq#618: the finish func stored in the rows
// on success, forgotten on the query's error return). always says that
// every return of fn hands out a release function: when some return does
// not (a nil one beside an error), a caller's path that skips the release
// may be the one taken exactly then, unless fn has no other result the
// caller could test.
func reportDrops(pass *analysis.Pass, fn *ssa.Function, calls []*ssa.Call, release map[int]bool, always bool, msg string, related ...analysis.RelatedInformation) {
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	for _, call := range calls {
		if call.Parent() == fn {
			continue
		}
		if dropsAll(call, release) {
			pass.Report(analysis.Diagnostic{Pos: call.Pos(), Category: "deadlock", Message: msg, Related: related})
			continue
		}
		if !always && fn.Signature.Results().Len() > 1 {
			continue
		}
		ret := skipsRelease(call, release)
		if ret == nil {
			continue
		}
		rp := returnPos(ret, call.Parent())
		pass.Report(analysis.Diagnostic{
			Pos:      call.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s keeps the function %s returns to release its goroutine (line %d), but the path to the return at line %d neither calls it nor hands it on: that goroutine then waits for a signal from %s's arguments alone, one more each time the path is taken (call the release on that path too, or defer it)",
				call.Parent().Name(), fn.Name(), line(related[0].Pos), line(rp), fn.Name()),
			Related: append([]analysis.RelatedInformation{{Pos: rp, Message: "this return skips the release"}}, related...),
		})
	}
}

// skipsRelease returns a return of call's function that a path from call
// reaches without using any of its results in release (calling, deferring,
// storing, passing, returning or testing them), or nil. Paths that panic
// or call a function that does not return are not followed.
func skipsRelease(call *ssa.Call, release map[int]bool) *ssa.Return {
	var vals []ssa.Value
	if _, ok := call.Type().(*types.Tuple); ok {
		for _, r := range *call.Referrers() {
			if ex, ok := r.(*ssa.Extract); ok && release[ex.Index] {
				vals = append(vals, ex)
			}
		}
	} else if release[0] {
		vals = append(vals, call)
	}
	uses := map[ssa.Instruction]bool{}
	for _, v := range vals {
		for _, u := range *v.Referrers() {
			if _, ok := u.(*ssa.DebugRef); !ok {
				uses[u] = true
			}
		}
	}
	if len(uses) == 0 {
		return nil
	}
	done := ctxDoneAt(call)
	return chanuse.ReturnAvoiding(call, func(in ssa.Instruction) bool { return uses[in] || done[in] })
}

// ctxDoneAt returns the instructions of call's function from which a
// context call passes is known to be done: after a receive from its
// Done, at the start of a select case on its Done, and at the start of
// the branch taken when its Err() is not nil. The goroutine, which waits
// for that context too, has then ended (or is ending): a path that drops
// the release from there leaks nothing.
func ctxDoneAt(call *ssa.Call) map[ssa.Instruction]bool {
	ctxs := map[ssa.Value]bool{}
	for _, a := range call.Call.Args {
		if isContextType(a.Type()) {
			ctxs[a] = true
		}
	}
	at := map[ssa.Instruction]bool{}
	if len(ctxs) == 0 {
		return at
	}
	isDone := func(ch ssa.Value) bool {
		c := doneOf(ch)
		return c != nil && ctxs[c]
	}
	for _, b := range call.Parent().Blocks {
		for i, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && isDone(in.X) && i+1 < len(b.Instrs) {
					at[b.Instrs[i+1]] = true
				}
			case *ssa.Select:
				bodies, _ := caseBodies(in)
				for k, st := range in.States {
					if body, ok := bodies[k]; ok && st.Dir == types.RecvOnly && isDone(st.Chan) && len(body.Instrs) > 0 {
						at[body.Instrs[0]] = true
					}
				}
			case *ssa.If:
				bin, ok := in.Cond.(*ssa.BinOp)
				if !ok || bin.Op != token.NEQ && bin.Op != token.EQL {
					continue
				}
				if c, ok := bin.Y.(*ssa.Const); !ok || !c.IsNil() {
					continue
				}
				ec, ok := bin.X.(*ssa.Call)
				if !ok || !ec.Call.IsInvoke() || ec.Call.Method.Name() != "Err" || !ctxs[ec.Call.Value] {
					continue
				}
				succ := b.Succs[0] // Err() != nil
				if bin.Op == token.EQL {
					succ = b.Succs[1]
				}
				if len(succ.Preds) == 1 && len(succ.Instrs) > 0 {
					at[succ.Instrs[0]] = true
				}
			}
		}
	}
	return at
}

// localChan returns the channel fn makes (make(chan T), kept in a local
// variable) that c, a channel in the literal mk, is, or nil.
func localChan(c ssa.Value, mk *ssa.MakeClosure, fn *ssa.Function) *ssa.MakeChan {
	v := captured(c, mk)
	if v == nil {
		if fv, ok := c.(*ssa.FreeVar); ok {
			v = cellValue(chanuse.Bound(mk, fv))
		}
	}
	mc, ok := v.(*ssa.MakeChan)
	if !ok || mc.Parent() != fn {
		return nil
	}
	return mc
}

// closuresOf returns the closures that capture the channel mc, when they
// are the only users of it: fn neither sends, receives, closes nor hands
// it elsewhere itself.
func closuresOf(mc *ssa.MakeChan) ([]*ssa.MakeClosure, bool) {
	var mks []*ssa.MakeClosure
	var users func(v ssa.Value, depth int) bool
	users = func(v ssa.Value, depth int) bool {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.MakeClosure:
				mks = append(mks, r)
			case *ssa.Store:
				if r.Addr == v {
					continue // the store filling the variable
				}
				a, ok := r.Addr.(*ssa.Alloc)
				if depth > 0 || !ok || r.Val != v || storedIn(a) != v || !users(a, depth+1) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	if !users(mc, 0) {
		return nil, false
	}
	return mks, true
}

// droppedLocal is droppedRelease for a channel fn makes in a local
// variable (lib/pq#618's finished): the goroutine waits on signals from
// fn's parameters (the caller's ctx.Done()) and on that channel, which
// only closures fn returns close or send on; fn itself neither uses the
// channel nor calls those closures. A caller that drops every release
// function, or drops it on a path to a return, leaves the goroutine
// waiting for the outside signal alone.
func droppedLocal(pass *analysis.Pass, fn *ssa.Function, g *ssa.Go, mk *ssa.MakeClosure, locals []*ssa.MakeChan, calls []*ssa.Call) {
	rels := map[*ssa.MakeClosure]bool{}
	for _, mc := range locals {
		mks, ok := closuresOf(mc)
		if !ok {
			return
		}
		signaled := false
		for _, m := range mks {
			if m == mk {
				continue
			}
			if !signalsLocal(m, mc) {
				return // another closure that uses it: not followed
			}
			rels[m] = true
			signaled = true
		}
		if !signaled || closesLocal(mk, mc) {
			return // nothing releases it, or the goroutine closes it itself
		}
	}
	// Each release closure is only returned: fn neither calls it nor
	// keeps it elsewhere.
	for m := range rels {
		for _, r := range *m.Referrers() {
			switch r := r.(type) {
			case *ssa.Return, *ssa.DebugRef:
			case *ssa.ChangeType:
				for _, u := range *r.Referrers() {
					if _, ok := u.(*ssa.Return); !ok {
						return
					}
				}
			default:
				return
			}
		}
	}
	release := map[int]bool{}
	rets, relRets := 0, 0
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		rets++
		has := false
		for i, r := range ret.Results {
			if ct, ok := r.(*ssa.ChangeType); ok {
				r = ct.X
			}
			if m, ok := r.(*ssa.MakeClosure); ok && rels[m] {
				release[i] = true
				has = true
			}
		}
		if has {
			relRets++
		}
	}
	if len(release) == 0 {
		return
	}
	reportDrops(pass, fn, calls, release, rets == relRets,
		fmt.Sprintf("the function that releases the goroutine %s starts (line %d) is dropped here: that goroutine waits for it or for a signal from %s's arguments, and now only the latter can end it, leaking one goroutine per call while they live (keep the function and call it, as with a context's cancel)",
			fn.Name(), pass.Fset.Position(g.Pos()).Line, fn.Name()),
		analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine is started here"},
		analysis.RelatedInformation{Pos: locals[0].Pos(), Message: "the channel only the released function signals"},
		analysis.RelatedInformation{Pos: fn.Pos(), Message: "the function returning the release function"})
}

// signalsLocal reports whether the closure m closes or sends on the
// channel mc it captures (a plain send, or a send case of a select).
func signalsLocal(m *ssa.MakeClosure, mc *ssa.MakeChan) bool {
	return localOp(m, mc, true)
}

// closesLocal reports whether the closure m closes the channel mc.
func closesLocal(m *ssa.MakeClosure, mc *ssa.MakeChan) bool {
	return localOp(m, mc, false)
}

func localOp(m *ssa.MakeClosure, mc *ssa.MakeChan, sends bool) bool {
	f := m.Fn.(*ssa.Function)
	is := func(c ssa.Value) bool { return localChan(c, m, mc.Parent()) == mc }
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				if sends && is(in.Chan) {
					return true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if sends && st.Dir == types.SendOnly && is(st.Chan) {
						return true
					}
				}
			case ssa.CallInstruction:
				c := in.Common()
				if bi, ok := c.Value.(*ssa.Builtin); ok && bi.Name() == "close" && is(c.Args[0]) {
					return true
				}
			}
		}
	}
	return false
}

// ownField returns the channel field c is, of a value fn makes (not a
// parameter) and the literal mk captures: a load of the field, or a call
// of a method of the package that returns it (ctx.Done()).
func ownField(c ssa.Value, mk *ssa.MakeClosure, fn *ssa.Function) (ownChan, bool) {
	var base ssa.Value
	var field *types.Var
	if k, ok := chanKey(c).(fieldKey); ok {
		base, field = k.base, k.field
	} else if call, ok := c.(*ssa.Call); ok && !call.Call.IsInvoke() && len(call.Call.Args) == 1 {
		m := call.Call.StaticCallee()
		if m == nil || m.Pkg != fn.Pkg || m.Signature.Recv() == nil {
			return ownChan{}, false
		}
		field = returnedField(m)
		base = call.Call.Args[0]
	}
	if field == nil {
		return ownChan{}, false
	}
	v := captured(base, mk)
	switch v.(type) {
	case *ssa.Call, *ssa.Alloc:
		return ownChan{v, field}, true
	}
	return ownChan{}, false
}

// returnedField returns the channel field that method m only returns
// (func (c *T) Done() <-chan struct{} { return c.done }), or nil.
func returnedField(m *ssa.Function) *types.Var {
	var f *types.Var
	for _, b := range m.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		if len(ret.Results) != 1 {
			return nil
		}
		v := ret.Results[0]
		if ct, ok := v.(*ssa.ChangeType); ok {
			v = ct.X
		}
		k, ok := chanKey(v).(fieldKey)
		if !ok || k.base != m.Params[0] || f != nil && f != k.field {
			return nil
		}
		f = k.field
	}
	return f
}

// fromParam reports whether c is a channel of one of fn's parameters, as
// mk captures it: the parameter itself, a field of it, or what one of its
// methods returns (parent.Done()).
func fromParam(c ssa.Value, mk *ssa.MakeClosure, fn *ssa.Function) bool {
	var base ssa.Value
	switch v := c.(type) {
	case *ssa.Call:
		if v.Call.IsInvoke() {
			base = v.Call.Value
		} else if len(v.Call.Args) == 1 && v.Call.StaticCallee() != nil && v.Call.StaticCallee().Signature.Recv() != nil {
			base = v.Call.Args[0]
		}
	default:
		if k, ok := chanKey(c).(fieldKey); ok {
			base = k.base
		} else {
			base = c
		}
	}
	return paramRooted(captured(base, mk), fn, 0)
}

// paramRooted reports whether v is one of fn's parameters, or a value fn
// takes from one: a type assertion or conversion of it, a field of it,
// what one of its methods returns (w.(CloseNotifier).CloseNotify()).
func paramRooted(v ssa.Value, fn *ssa.Function, depth int) bool {
	if depth > 4 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return v.Parent() == fn
	case *ssa.TypeAssert:
		return paramRooted(v.X, fn, depth+1)
	case *ssa.ChangeInterface:
		return paramRooted(v.X, fn, depth+1)
	case *ssa.FieldAddr:
		return paramRooted(v.X, fn, depth+1)
	case *ssa.UnOp:
		return v.Op == token.MUL && paramRooted(v.X, fn, depth+1)
	case *ssa.Extract:
		return paramRooted(v.Tuple, fn, depth+1) // a comma-ok assertion
	case *ssa.Call:
		if v.Call.IsInvoke() {
			return paramRooted(v.Call.Value, fn, depth+1)
		}
		if m := v.Call.StaticCallee(); m != nil && m.Signature.Recv() != nil && len(v.Call.Args) == 1 {
			return paramRooted(v.Call.Args[0], fn, depth+1)
		}
	}
	return false
}

// ownContext returns the context.WithCancel (WithTimeout, WithDeadline,
// ...) call of fn whose context c, a channel in the literal mk, is the
// Done of, or nil.
func ownContext(c ssa.Value, mk *ssa.MakeClosure, fn *ssa.Function) *ssa.Call {
	call, ok := c.(*ssa.Call)
	if !ok || !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" || !isContextType(call.Call.Value.Type()) {
		return nil
	}
	ex, ok := captured(call.Call.Value, mk).(*ssa.Extract)
	if !ok || ex.Index != 0 {
		return nil
	}
	wc, ok := ex.Tuple.(*ssa.Call)
	if !ok || wc.Parent() != fn {
		return nil
	}
	if w := wc.Call.StaticCallee(); w == nil || w.Pkg == nil || w.Pkg.Pkg.Path() != "context" || !strings.HasPrefix(w.Name(), "With") || wc.Type().(*types.Tuple).Len() != 2 {
		return nil
	}
	return wc
}

// onlyReturned reports whether v, a cancel func, is only returned by its
// function or bound by the goroutine g's literal: kept in a variable the
// literal captures, loaded for the return, converted to func().
func onlyReturned(v ssa.Value, g *ssa.Go, depth int) bool {
	if depth > 3 {
		return false
	}
	for _, u := range *v.Referrers() {
		switch u := u.(type) {
		case *ssa.Return, *ssa.DebugRef:
		case *ssa.ChangeType:
			if !onlyReturned(u, g, depth+1) {
				return false
			}
		case *ssa.UnOp:
			if u.Op != token.MUL || !onlyReturned(u, g, depth+1) {
				return false
			}
		case *ssa.Store:
			if u.Addr == v {
				continue // the store that fills this variable
			}
			a, ok := u.Addr.(*ssa.Alloc)
			if !ok || u.Val != v || storedIn(a) != v || !onlyReturned(a, g, depth+1) {
				return false
			}
		case *ssa.MakeClosure:
			if u != g.Call.Value {
				return false
			}
		default:
			return false // called here, deferred, stored: fn ends it itself
		}
	}
	return true
}

// droppedCancel is droppedRelease for a context fn makes with the
// standard library and whose cancel it returns: the goroutine waits on
// that context's Done and on signals from fn's parameters (a connection's
// close notification), and only the returned cancel, which fn neither
// calls nor hands elsewhere, ends it early. A caller that drops the cancel
// leaves the goroutine waiting for the outside signal, one per call
// (stellar-deprecated/horizon#161: CancelWhenClosed, called per request with
// ctx, _ =, on keep-alive connections that stay open).
func droppedCancel(pass *analysis.Pass, fn *ssa.Function, g *ssa.Go, ctxs []*ssa.Call, calls []*ssa.Call) {
	release := map[int]bool{}
	var wc *ssa.Call
	allRelease := true
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		has := false
		for i, r := range ret.Results {
			if ct, ok := r.(*ssa.ChangeType); ok {
				r = ct.X // context.CancelFunc as func()
			}
			if u, ok := r.(*ssa.UnOp); ok && u.Op == token.MUL {
				r = cellValue(u.X) // a variable the goroutine captures
			}
			ex, ok := r.(*ssa.Extract)
			if !ok || ex.Index != 1 {
				continue
			}
			if c, ok := ex.Tuple.(*ssa.Call); ok && slices.Contains(ctxs, c) {
				release[i] = true
				wc = c
				has = true
			}
		}
		allRelease = allRelease && has
	}
	if wc == nil {
		return
	}
	// fn does not call the cancel itself, nor hand it to anything but
	// its results and the goroutine.
	for _, r := range *wc.Referrers() {
		if ex, ok := r.(*ssa.Extract); ok && ex.Index == 1 && !onlyReturned(ex, g, 0) {
			return
		}
	}
	reportDrops(pass, fn, calls, release, allRelease,
		fmt.Sprintf("the cancel func that %s returns is dropped here: the goroutine it starts (line %d) waits for that cancel or for a signal from %s's arguments, and now only the latter can end it, leaking one goroutine per call while they live (keep the cancel and call it when done)",
			fn.Name(), pass.Fset.Position(g.Pos()).Line, fn.Name()),
		analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine is started here"},
		analysis.RelatedInformation{Pos: wc.Pos(), Message: "the context whose cancel is dropped is made here"},
		analysis.RelatedInformation{Pos: fn.Pos(), Message: "the function returning the cancel"})
}

// captured returns the value of mk's function that v, a value in the
// literal, is: a free variable's binding, or, for a load of a captured
// variable, the only value stored in that variable.
func captured(v ssa.Value, mk *ssa.MakeClosure) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	if fv, ok := v.(*ssa.FreeVar); ok {
		return cellValue(chanuse.Bound(mk, fv))
	}
	return nil
}

// cellValue returns the only value stored in v when v is a variable (a
// local captured by reference), else v.
func cellValue(v ssa.Value) ssa.Value {
	if a, ok := v.(*ssa.Alloc); ok {
		if s := storedIn(a); s != nil {
			return s
		}
	}
	return v
}

// bindsTo reports whether closure mk captures v.
func bindsTo(mk *ssa.MakeClosure, v ssa.Value) bool {
	for _, b := range mk.Bindings {
		if u, ok := b.(*ssa.UnOp); ok && u.Op == token.MUL {
			b = u.X // a method value bound to a loaded variable
		}
		if cellValue(b) == v {
			return true
		}
	}
	return false
}

// dropsAll reports whether the caller of call discards every result whose
// index is in release (assigned to _, or never used).
func dropsAll(call *ssa.Call, release map[int]bool) bool {
	if _, ok := call.Type().(*types.Tuple); !ok {
		return false
	}
	for _, r := range *call.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok {
			return false
		}
		if !release[ex.Index] {
			continue
		}
		for _, u := range *ex.Referrers() {
			if _, ok := u.(*ssa.DebugRef); !ok {
				return false
			}
		}
	}
	return true
}

// endsItself reports whether fn closes or sends on field f itself, or in
// a function it calls (not one it starts as a goroutine).
func endsItself(fn *ssa.Function, f *types.Var) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				if k, ok := chanKey(in.Chan).(fieldKey); ok && k.field == f {
					return true
				}
			case *ssa.Call, *ssa.Defer:
				c := in.(ssa.CallInstruction).Common()
				if bi, ok := c.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					if k, ok := chanKey(c.Args[0]).(fieldKey); ok && k.field == f {
						return true
					}
					continue
				}
				if g := c.StaticCallee(); g != nil && g.Pkg == fn.Pkg && signalsField(g, f, 1) {
					return true
				}
			}
		}
	}
	return false
}

// boundMethod returns the method a bound-method wrapper (the closure of a
// method value, w.Stop) calls, or nil.
func boundMethod(fn *ssa.Function) *ssa.Function {
	if fn.Synthetic == "" {
		return nil
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok {
				return c.Call.StaticCallee()
			}
		}
	}
	return nil
}

// signalsDirectly reports whether fn itself closes or sends on a channel
// kept in field f.
func signalsDirectly(fn *ssa.Function, f *types.Var) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var c ssa.Value
			switch in := instr.(type) {
			case *ssa.Send:
				c = in.Chan
			case *ssa.Call:
				if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					c = in.Call.Args[0]
				}
			case *ssa.Defer:
				if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					c = in.Call.Args[0]
				}
			}
			if k, ok := chanKey(c).(fieldKey); ok && c != nil && k.field == f {
				return true
			}
		}
	}
	return false
}

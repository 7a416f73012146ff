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
	var ctxs []*ssa.Call // context.With* calls of fn whose Done the goroutine waits on
	outside := false
	for _, b := range lit.Blocks {
		for _, instr := range b.Instrs {
			var chans []ssa.Value
			switch in := instr.(type) {
			case *ssa.Send, *ssa.Go:
				return // not a pure waiter
			case *ssa.UnOp:
				if in.Op == token.ARROW {
					chans = append(chans, in.X)
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir != types.RecvOnly {
						return
					}
					chans = append(chans, st.Chan)
				}
			}
			for _, c := range chans {
				if o, ok := ownField(c, mk, fn); ok {
					own = append(own, o)
				} else if wc := ownContext(c, mk, fn); wc != nil {
					ctxs = append(ctxs, wc)
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
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
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
	reportDrops(pass, fn, calls, release,
		fmt.Sprintf("the function that releases the goroutine %s starts (line %d) is dropped here: that goroutine waits for it or for a signal from %s's arguments, and now only the latter can end it, leaking one goroutine per call while they live (keep the function and call it, as with a context's cancel)",
			fn.Name(), pass.Fset.Position(g.Pos()).Line, fn.Name()),
		analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine is started here"},
		analysis.RelatedInformation{Pos: own[0].val.Pos(), Message: "the value whose channel only the dropped function closes"},
		analysis.RelatedInformation{Pos: fn.Pos(), Message: "the function returning the release function"})
}

// reportDrops reports each call of fn, outside fn itself, that drops every
// result in release, with msg and the related positions.
func reportDrops(pass *analysis.Pass, fn *ssa.Function, calls []*ssa.Call, release map[int]bool, msg string, related ...analysis.RelatedInformation) {
	for _, call := range calls {
		if call.Parent() == fn || !dropsAll(call, release) {
			continue
		}
		pass.Report(analysis.Diagnostic{Pos: call.Pos(), Category: "deadlock", Message: msg, Related: related})
	}
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
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
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
			}
		}
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
	reportDrops(pass, fn, calls, release,
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

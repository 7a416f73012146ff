package deadlockleak

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A select's other case on a done signal (a context's Done, a stop
// channel) can win only once the signal fires. When the only goroutine
// that fires it is the sender itself, after its send (ctx, cancel :=
// context.WithCancel(context.Background()); go func() { in <- v; cancel() }()),
// the receiver has taken the value by then: the case is not a way around
// the receive. The signal must be made in the package (WithCancel of
// Background or TODO, or make(chan)) and every use of what fires it
// (the cancel function, the channel) seen: a call, close or send in the
// sender's own function that cannot reach its send again, or a deferred
// one in the sender or the receiver; a receive; a call of a function that
// does the same with it. Anything else (a parameter, a field, another
// goroutine) leaves the case free to win at any time.

// lateDepth bounds how far origins and uses are followed.
const lateDepth = 6

// lateSignal builds the test the walker applies to a select's other
// case: it reports whether the case cannot win before s's sends are taken.
func lateSignal(recv, s *role, w *walker) func(*ssa.Select, int) bool {
	cache := map[ssa.Value]bool{}
	return func(sel *ssa.Select, k int) bool {
		st := sel.States[k]
		if st.Dir != types.RecvOnly || st.Chan == nil {
			return false
		}
		if r, ok := cache[st.Chan]; ok {
			return r
		}
		l := &late{recv: recv, s: s, w: w, seen: map[ssa.Value]bool{}}
		r := l.check(st.Chan)
		cache[st.Chan] = r
		return r
	}
}

type late struct {
	recv, s *role
	w       *walker
	seen    map[ssa.Value]bool
}

func (l *late) check(ch ssa.Value) bool {
	var handle ssa.Value
	if call, ok := ch.(*ssa.Call); ok && call.Call.IsInvoke() && call.Call.Method.Name() == "Done" && len(call.Call.Args) == 0 {
		src, ok := l.origin(call.Call.Value, 0).(*ssa.Extract)
		if !ok || src.Index != 0 {
			return false
		}
		wc, ok := src.Tuple.(*ssa.Call)
		if !ok || !backgroundCancel(&wc.Call) {
			return false
		}
		for _, r := range *wc.Referrers() {
			if e, ok := r.(*ssa.Extract); ok && e.Index == 1 {
				handle = e
			}
		}
		if handle == nil {
			return true // its cancel is dropped: Done never closes
		}
	} else {
		mc, ok := l.origin(ch, 0).(*ssa.MakeChan)
		if !ok || l.w.vals[mc] {
			return false
		}
		handle = mc
	}
	return l.uses(handle, false, 0)
}

// backgroundCancel reports whether c is context.WithCancel (or
// WithCancelCause) of context.Background() or TODO(): nothing but its
// cancel function closes its Done.
func backgroundCancel(c *ssa.CallCommon) bool {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || len(c.Args) != 1 {
		return false
	}
	if fn.Name() != "WithCancel" && fn.Name() != "WithCancelCause" {
		return false
	}
	p, ok := c.Args[0].(*ssa.Call)
	if !ok {
		return false
	}
	pf := p.Call.StaticCallee()
	return pf != nil && pf.Pkg != nil && pf.Pkg.Pkg.Path() == "context" && (pf.Name() == "Background" || pf.Name() == "TODO")
}

// origin steps back from v to where it is made: through conversions,
// variables stored once, free variables to their binding, and parameters
// to the one call of the receiving goroutine (or its go statement) that
// passes them.
func (l *late) origin(v ssa.Value, depth int) ssa.Value {
	if depth > lateDepth {
		return nil
	}
	switch x := v.(type) {
	case *ssa.ChangeType:
		return l.origin(x.X, depth+1)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return nil
		}
		a, ok := l.origin(x.X, depth+1).(*ssa.Alloc)
		if !ok {
			return nil
		}
		if st := storedOnce(a); st != nil {
			return l.origin(st, depth+1)
		}
	case *ssa.FreeVar:
		if mk := closureOf(x.Parent()); mk != nil {
			if b := chanuse.Bound(mk, x); b != nil {
				return l.origin(b, depth+1)
			}
		}
	case *ssa.Parameter:
		fn := x.Parent()
		var found *ssa.CallCommon
		n := 0
		for in, h := range l.w.helpers {
			if h.Fn == fn {
				found, n = in.(ssa.CallInstruction).Common(), n+1
			}
		}
		if g := l.recv.g; g.Fn == fn && g.Start != nil {
			found, n = g.Start.(ssa.CallInstruction).Common(), n+1
		}
		if n != 1 || found.IsInvoke() {
			return nil
		}
		for i, p := range fn.Params {
			if p == x && i < len(found.Args) {
				return l.origin(found.Args[i], depth+1)
			}
		}
	default:
		return v
	}
	return nil
}

// closureOf returns the one closure made of fn, an anonymous function.
func closureOf(fn *ssa.Function) *ssa.MakeClosure {
	if fn.Parent() == nil {
		return nil
	}
	var mk *ssa.MakeClosure
	for _, b := range fn.Parent().Blocks {
		for _, in := range b.Instrs {
			if m, ok := in.(*ssa.MakeClosure); ok && m.Fn == fn {
				if mk != nil {
					return nil
				}
				mk = m
			}
		}
	}
	return mk
}

// storedOnce returns the one value stored in a, or nil.
func storedOnce(a *ssa.Alloc) ssa.Value {
	var v ssa.Value
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a {
			if v != nil {
				return nil
			}
			v = st.Val
		}
	}
	return v
}

// uses reports whether every use of v (ptr: a variable holding it) fires
// the signal only late, or only waits on it.
func (l *late) uses(v ssa.Value, ptr bool, depth int) bool {
	if depth > lateDepth {
		return false
	}
	if l.seen[v] {
		return true
	}
	l.seen[v] = true
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		if _, ok := r.(*ssa.DebugRef); ok {
			continue
		}
		if mk, ok := r.(*ssa.MakeClosure); ok {
			fn := mk.Fn.(*ssa.Function)
			for i, b := range mk.Bindings {
				if b == v && (i >= len(fn.FreeVars) || !l.uses(fn.FreeVars[i], ptr, depth+1)) {
					return false
				}
			}
			continue
		}
		if ptr {
			switch r := r.(type) {
			case *ssa.UnOp:
				if r.Op != token.MUL || !l.uses(r, false, depth+1) {
					return false
				}
			case *ssa.Store:
				if r.Addr != v {
					return false
				}
				// The one store (origin checked it) of the value itself.
			default:
				return false
			}
			continue
		}
		switch r := r.(type) {
		case *ssa.ChangeType:
			if !l.uses(r, false, depth+1) {
				return false
			}
		case *ssa.Store:
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || r.Val != v || storedOnce(a) != v || !l.uses(a, true, depth+1) {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
		case *ssa.Select:
			for _, st := range r.States {
				if st.Chan == v && st.Dir != types.RecvOnly {
					return false
				}
			}
		case *ssa.Send:
			if r.Chan != v || !l.fires(r) {
				return false
			}
		case ssa.CallInstruction:
			c := r.Common()
			if c.Value == v && !c.IsInvoke() {
				if !l.fires(r) {
					return false
				}
				continue
			}
			if bi, ok := c.Value.(*ssa.Builtin); ok {
				if bi.Name() != "close" || len(c.Args) != 1 || !l.fires(r) {
					return false
				}
				continue
			}
			callee := c.StaticCallee()
			if callee == nil || c.IsInvoke() || callee.Blocks == nil {
				return false
			}
			for i, a := range c.Args {
				if a == v && (i >= len(callee.Params) || !l.uses(callee.Params[i], false, depth+1)) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// fires reports whether in, an instruction that fires the signal, runs
// only after the receive has taken the sender's values: deferred in the
// receiving goroutine's function (it has left its selects by then) or in
// the sender's; or in the sender's own function where no path leads on to
// one of its sends.
func (l *late) fires(in ssa.Instruction) bool {
	fn := in.Parent()
	if _, ok := in.(*ssa.Defer); ok {
		return fn == l.recv.g.Fn || fn == l.s.g.Fn
	}
	if fn != l.s.g.Fn {
		return false
	}
	sends := map[ssa.Instruction]bool{}
	for _, op := range l.s.sends {
		if op.Node != l.s.g {
			return false // a helper sends
		}
		sends[op.Instr] = true
	}
	b := in.Block()
	i := 0
	for k, x := range b.Instrs {
		if x == in {
			i = k
		}
	}
	for _, x := range b.Instrs[i+1:] {
		if sends[x] {
			return false
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		for _, y := range x.Instrs {
			if sends[y] {
				return false
			}
		}
		stack = append(stack, x.Succs...)
	}
	return true
}

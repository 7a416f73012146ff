package chanuse

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Cap is what code outside the package can do with a field's channel
// that an exported function hands out, by the type of its result: a
// receive-only channel (<-chan T) can only be received from; a send-only
// one (chan<- T) sent on and closed.
type Cap uint8

// The outside capabilities.
const (
	OutRecv Cap = 1 << iota // outside code may receive
	OutSend                 // outside code may send or close
)

// maxPassed bounds the parameters one class is followed into.
const maxPassed = 16

// wideView is the state of WideFields' walk.
type wideView struct {
	pkg    *types.Package
	sealed *Sealed
	params map[*ssa.Parameter]bool // parameters the channel was followed into
	locals map[ssa.Value]bool      // variables holding the channel (Allocs, free variables)
	makes  map[*ssa.MakeChan]bool  // makes stored in the field and kept elsewhere too
}

// WideFields is Fields with a wider view, for the interleaving checker
// only (the pattern rules read Fields, whose Escapes stays as it was):
//
//   - the field's channel passed to a function or goroutine of the
//     package (go s.loop(s.in, s.done), wait(s.done)) is followed into
//     the callee's parameter: its operations there are the class's, with
//     the parameter as their Base (Base maps the argument to it);
//   - a use not followed of a value of a directional channel type (the
//     channel returned as a <-chan T by an exported method, passed as a
//     chan<- T to another package) hands the channel out with the
//     capabilities of that type (Outside): its holders can only receive
//     from a <-chan T, only send on or close a chan<- T. A bidirectional
//     value escapes;
//   - a comparison with nil (s.done != nil) is no use of the channel;
//   - the channel kept in a local variable (done := s.done), also one
//     its goroutines capture, is followed through the variable's loads,
//     and a make stored in the field and kept elsewhere too (done :=
//     make(chan T); s.done = done) through its other uses.
//
// Escapes is then set only by the uses still not followed.
func WideFields(pkg *types.Package, sealed *Sealed, funcs []*ssa.Function) map[*types.Var]*Class {
	return fields(pkg, sealed, funcs, true)
}

// Base returns the object (or the parameter) whose field's channel v
// is, for a value of the channel in a WideFields class; nil otherwise.
func (c *Class) Base(v ssa.Value) ssa.Value {
	if c == nil || c.wide == nil {
		return nil
	}
	return c.bases[v]
}

// OutsideCompletes reports whether code outside the package could
// complete an operation of kind k blocked on the class's channel: a send
// when it may receive, a receive when it may send or close.
func (c *Class) OutsideCompletes(k Kind) bool {
	switch k {
	case Send, SelectSend:
		return c.Outside&OutRecv != 0
	case Recv, SelectRecv:
		return c.Outside&OutSend != 0
	}
	return false
}

// nilTest reports whether b compares v with nil.
func (c *Class) nilTest(b *ssa.BinOp, v ssa.Value) bool {
	if b.Op != token.EQL && b.Op != token.NEQ {
		return false
	}
	return b.X == v && isNil(b.Y) || b.Y == v && isNil(b.X)
}

// pass follows v, the channel, as an argument of ci into the parameters
// of its callee, a function of the package called statically.
func (c *Class) pass(ci ssa.CallInstruction, v ssa.Value) bool {
	cc := ci.Common()
	callee := cc.StaticCallee()
	if cc.IsInvoke() || cc.Value == v || callee == nil || callee.Blocks == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.wide.pkg {
		return false
	}
	if len(cc.Args) != len(callee.Params) {
		return false
	}
	for i, a := range cc.Args {
		if a != v {
			continue
		}
		p := callee.Params[i]
		if c.wide.params[p] {
			continue
		}
		if len(c.wide.params) >= maxPassed {
			return false
		}
		c.wide.params[p] = true
		c.value(p, callee, p)
	}
	return true
}

// escv marks the class escaped by a use of v not followed, unless v
// (WideFields only) has a directional channel type: whoever gets it can
// then only receive from it (<-chan T) or only send on and close it
// (chan<- T), and Outside records that instead (a function returning it
// as such, exported or called through an interface, or a call of another
// package that gets it).
func (c *Class) escv(v ssa.Value, why string) {
	if c.wide != nil {
		if ch, ok := v.Type().Underlying().(*types.Chan); ok {
			switch ch.Dir() {
			case types.RecvOnly:
				c.Outside |= OutRecv
				return
			case types.SendOnly:
				c.Outside |= OutSend
				return
			}
		}
	}
	c.esc(why)
}

// keptMake follows the other uses of mk, a make stored in the field at
// fa, as the class's channel (done := make(chan T); s.done = done; go
// s.loop(done)), with the object fa addresses as their Base.
func (c *Class) keptMake(mk *ssa.MakeChan, fa *ssa.FieldAddr) bool {
	if c.wide.makes[mk] {
		return true
	}
	c.wide.makes[mk] = true
	escaped, why := c.Escapes, c.Why
	c.Escapes = false
	c.value(mk, mk.Parent(), fa.X)
	ok := !c.Escapes
	if escaped {
		c.Escapes, c.Why = true, why
	}
	return ok
}

// store follows the channel v stored by st: into the field itself (a
// make kept elsewhere too, see keptMake), or into a local variable of
// fn, whose loads are the channel (done := s.done, captured by the
// goroutines fn starts).
func (c *Class) store(st *ssa.Store, v ssa.Value, fn *ssa.Function, base ssa.Value) bool {
	if st.Val != v {
		return false
	}
	if StructFieldOf(st.Addr) == c.Field {
		_, ok := v.(*ssa.MakeChan)
		return ok
	}
	a, ok := st.Addr.(*ssa.Alloc)
	if !ok || a.Parent() != fn {
		return false
	}
	return c.local(a, fn, base)
}

// local follows a variable holding the channel: a local of fn, or (a
// free variable) one a closure captures. Every store into it must store
// the channel (a load of the field) or nil; its loads are the channel,
// and a closure capturing it is followed into its body, where the free
// variable is the Base of the operations.
func (c *Class) local(a ssa.Value, fn *ssa.Function, base ssa.Value) bool {
	if c.wide.locals[a] {
		return true
	}
	if len(c.wide.locals) >= maxPassed {
		return false
	}
	c.wide.locals[a] = true
	c.bases[a] = base
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != a || !c.fieldValue(r.Val) {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
			c.value(r, fn, base)
		case *ssa.MakeClosure:
			body, _ := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b != a {
					continue
				}
				if body == nil || i >= len(body.FreeVars) || !c.local(body.FreeVars[i], body, body.FreeVars[i]) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// fieldValue reports whether v is nil or the class's channel: a make
// stored in the field, or a load of the field.
func (c *Class) fieldValue(v ssa.Value) bool {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.Const:
		return v.IsNil()
	case *ssa.MakeChan:
		return c.wide.makes[v]
	case *ssa.UnOp:
		return v.Op == token.MUL && StructFieldOf(v.X) == c.Field
	case *ssa.Field:
		return StructField(v.X.Type(), v.Field, false) == c.Field
	}
	return c.bases[v] != nil
}

package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// nilParamFields reports a plain send on (or receive from) a private
// channel field that is set only from a parameter of one of the package's
// functions, when the package itself calls that function with a literal
// nil for the parameter and never tests the field against nil: in the
// object built by that call the field is nil, and the operation blocks
// forever (OffchainLabs/nitro#1972: NewBroadcastClients stores the
// caller's confirmation listener in each router, the node passes nil
// because only a relay listens, and the router's select loop wedges on
// its first `r.forwardConfirmationChan <- cs`). It is nilArgs (nilpath.go)
// for a channel handed on through a struct field: the nil is written
// where the object is built and used where the object is run.
//
// The field must be assigned nothing but that parameter (directly, or by
// a function literal of the same function that captures it) or nil, its
// address must not be taken for anything but those stores and its loads,
// and no load of it may be compared with nil anywhere in the package (a
// `if r.ch != nil` guard is the fix). Select cases are left alone (a nil
// channel there disables the case, an idiom), and so are generic types.
func nilParamFields(st *state, funcs []*ssa.Function) {
	type fieldUse struct {
		param  *ssa.Parameter
		store  *ssa.Store
		bad    bool
		loads  []*ssa.UnOp
		tested bool
	}
	uses := map[*types.Var]*fieldUse{}
	get := func(fa *ssa.FieldAddr) (*types.Var, *fieldUse) {
		v := chanuse.StructFieldOf(fa)
		if v == nil || v.Pkg() != st.pass.Pkg || v.Origin() != v || !st.sealed.Private(v) {
			return nil, nil
		}
		if _, ok := v.Type().Underlying().(*types.Chan); !ok {
			return nil, nil
		}
		owner := st.sealed.Owner(v)
		if owner == nil {
			return nil, nil
		}
		if n, ok := owner.Type().(*types.Named); !ok || n.TypeParams().Len() > 0 {
			return nil, nil
		}
		u := uses[v]
		if u == nil {
			u = &fieldUse{}
			uses[v] = u
		}
		return v, u
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				_, u := get(fa)
				if u == nil {
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if r.Addr != fa {
							u.bad = true
							continue
						}
						if isNilConst(r.Val) {
							continue
						}
						p := paramOf(r.Val)
						if p == nil || u.param != nil && u.param != p {
							u.bad = true
							continue
						}
						u.param, u.store = p, r
					case *ssa.UnOp:
						if r.Op != token.MUL {
							u.bad = true
							continue
						}
						u.loads = append(u.loads, r)
						if comparedWithNil(r) {
							u.tested = true
						}
					default:
						u.bad = true
					}
				}
			}
		}
	}
	line := func(pos token.Pos) int { return st.pass.Fset.Position(pos).Line }
	for f, u := range uses {
		if u.bad || u.tested || u.param == nil {
			continue
		}
		call := nilCallOf(funcs, u.param)
		if call == nil {
			continue
		}
		for _, ld := range u.loads {
			for _, r := range *ld.Referrers() {
				var op ssa.Instruction
				what := ""
				switch r := r.(type) {
				case *ssa.Send:
					if r.Chan == ld {
						op, what = r, "send on"
					}
				case *ssa.UnOp:
					if r.Op == token.ARROW && r.X == ld {
						op, what = r, "receive from"
					}
				}
				if op == nil {
					continue
				}
				name := fmt.Sprintf("field %s of %s", f.Name(), ownerName(st.sealed, f))
				st.Report(analysis.Diagnostic{
					Pos:      op.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this %s %s blocks forever in the object built by the call at line %d: the field is set only from parameter %s of %s (line %d), which that call passes as nil, and nothing tests the field for nil",
						what, name, line(call.Pos()), u.param.Name(), u.param.Parent().Name(), line(u.store.Pos())),
					Related: []analysis.RelatedInformation{
						{Pos: call.Pos(), Message: "nil is passed for the channel here"},
						{Pos: u.store.Pos(), Message: "the parameter is stored in the field here"},
					},
				})
			}
		}
	}
}

// paramOf returns the parameter v is (through conversions), or the
// parameter of the enclosing function that v, a captured variable of a
// function literal made there, is bound to.
func paramOf(v ssa.Value) *ssa.Parameter {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
			continue
		case *ssa.Parameter:
			return x
		case *ssa.UnOp:
			// A load of a captured variable: the parameter spilled to the
			// heap for the literal, stored there once and never again.
			fv, ok := x.X.(*ssa.FreeVar)
			if x.Op != token.MUL || !ok {
				return nil
			}
			mk := onlyClosure(fv.Parent())
			if mk == nil {
				return nil
			}
			alloc, ok := chanuse.Bound(mk, fv).(*ssa.Alloc)
			if !ok {
				return nil
			}
			var p *ssa.Parameter
			for _, r := range *alloc.Referrers() {
				switch r := r.(type) {
				case *ssa.Store:
					q, ok := r.Val.(*ssa.Parameter)
					if !ok || r.Addr != alloc || p != nil {
						return nil
					}
					p = q
				case *ssa.UnOp, *ssa.MakeClosure, *ssa.DebugRef:
				default:
					return nil
				}
			}
			return p
		case *ssa.FreeVar:
			mk := onlyClosure(x.Parent())
			if mk == nil {
				return nil
			}
			p, _ := chanuse.Bound(mk, x).(*ssa.Parameter)
			return p
		}
		return nil
	}
}

// onlyClosure returns the only MakeClosure of literal fn in its parent,
// or nil.
func onlyClosure(fn *ssa.Function) *ssa.MakeClosure {
	if fn.Parent() == nil {
		return nil
	}
	var found *ssa.MakeClosure
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn {
				if found != nil {
					return nil
				}
				found = mk
			}
		}
	}
	return found
}

// comparedWithNil reports whether v is compared with nil.
func comparedWithNil(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		if b, ok := r.(*ssa.BinOp); ok && (b.Op == token.EQL || b.Op == token.NEQ) && (isNilConst(b.X) || isNilConst(b.Y)) {
			return true
		}
	}
	return false
}

// nilCallOf returns a static call of p's function in funcs that passes
// the constant nil for p, or nil.
func nilCallOf(funcs []*ssa.Function, p *ssa.Parameter) *ssa.Call {
	fn := p.Parent()
	i := -1
	for k, q := range fn.Params {
		if q == p {
			i = k
		}
	}
	if i < 0 {
		return nil
	}
	for _, f := range funcs {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(*ssa.Call)
				if !ok || c.Call.StaticCallee() != fn || c.Call.IsInvoke() {
					continue
				}
				args := c.Call.Args
				if i < len(args) && isNilConst(args[i]) {
					return c
				}
			}
		}
	}
	return nil
}

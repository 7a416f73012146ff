package chanuse

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Accessor reports whether fn is a channel accessor: a function (or
// method) whose one result is, on every return, the channel loaded from
// a struct field of one of its parameters (func (e *events) In() chan<- T
// { return e.ch }). It returns that field and the parameter's index (0
// for a method's receiver); a call of fn is then a load of the field from
// the call's argument. Else nil, -1.
func Accessor(fn *ssa.Function) (*types.Var, int) {
	if fn == nil || fn.Blocks == nil || fn.Parent() != nil || fn.Signature.Results().Len() != 1 {
		return nil, -1
	}
	if _, ok := fn.Signature.Results().At(0).Type().Underlying().(*types.Chan); !ok {
		return nil, -1
	}
	var field *types.Var
	var param *ssa.Parameter
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		f, p := paramField(ret.Results[0])
		if f == nil || field != nil && (f != field || p != param) {
			return nil, -1
		}
		field, param = f, p
	}
	for i, q := range fn.Params {
		if field != nil && q == param {
			return field, i
		}
	}
	return nil, -1
}

// paramField returns the field and the parameter when v is the value of
// a field of a parameter (p.f through a pointer, or of a struct value),
// possibly converted to another channel type.
func paramField(v ssa.Value) (*types.Var, *ssa.Parameter) {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if v.Op != token.MUL || !ok {
			return nil, nil
		}
		switch x := fa.X.(type) {
		case *ssa.Parameter:
			return StructFieldOf(fa), x
		case *ssa.Alloc:
			// A struct parameter (a value receiver) kept in a local.
			if p := spilled(x); p != nil {
				return StructFieldOf(fa), p
			}
		}
	case *ssa.Field:
		if p, ok := v.X.(*ssa.Parameter); ok {
			return StructField(v.X.Type(), v.Field, false), p
		}
	}
	return nil, nil
}

// spilled returns the parameter that a is the local copy of: its one
// store stores the parameter, and it is otherwise only read or addressed.
func spilled(a *ssa.Alloc) *ssa.Parameter {
	var p *ssa.Parameter
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			q, ok := r.Val.(*ssa.Parameter)
			if !ok || p != nil || r.Addr != a {
				return nil
			}
			p = q
		case *ssa.FieldAddr, *ssa.UnOp, *ssa.DebugRef:
		default:
			return nil
		}
	}
	return p
}

// closedAccessors returns the channel accessors among funcs that funcs
// call, and whose every call is among funcs, named statically: the function
// is never used as a value, cannot be called by other packages (an
// unexported name, or a method of a type they cannot reach), and, for a
// method, no value of its receiver type is put in an interface (a
// dynamic call) nor embedded in a struct (a promoted method, called
// through a wrapper). Their callers' uses of the result are then all
// the uses of the channel they hand out.
func closedAccessors(pkg *types.Package, sealed *Sealed, funcs []*ssa.Function) map[*ssa.Function]bool {
	out := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		if f, _ := Accessor(fn); f == nil || fn.Pkg == nil || fn.Pkg.Pkg != pkg || fn.Object() == nil {
			continue
		}
		if recv := fn.Signature.Recv(); recv != nil {
			if fn.Object().Exported() && sealed.Open(recv.Type()) {
				continue
			}
		} else if fn.Object().Exported() && !sealed.Closed() {
			continue
		}
		out[fn] = true
	}
	if len(out) == 0 {
		return out
	}
	// Receiver types that may be called dynamically or through a
	// promoted method.
	dynamic := map[types.Type]bool{}
	deref := func(t types.Type) types.Type {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			return p.Elem()
		}
		return t
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		if tn, ok := scope.Lookup(name).(*types.TypeName); ok {
			if st, ok := tn.Type().Underlying().(*types.Struct); ok {
				for i := 0; i < st.NumFields(); i++ {
					if f := st.Field(i); f.Embedded() {
						dynamic[deref(f.Type())] = true
					}
				}
			}
		}
	}
	var rands []*ssa.Value
	called := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mi, ok := instr.(*ssa.MakeInterface); ok {
					dynamic[deref(mi.X.Type())] = true
				}
				var static ssa.Value
				if c, ok := instr.(*ssa.Call); ok {
					static = c.Call.Value
					if g, ok := static.(*ssa.Function); ok {
						called[g] = true
					}
				}
				for _, r := range instr.Operands(rands[:0]) {
					if g, ok := (*r).(*ssa.Function); ok && out[g] && *r != static {
						delete(out, g) // a method value, a func value, go or defer
					}
				}
			}
		}
	}
	for fn := range out {
		// An accessor the package never calls is there for a caller it
		// cannot see (a reduced API, reflection, a linkname).
		if recv := fn.Signature.Recv(); !called[fn] || recv != nil && dynamic[deref(recv.Type())] {
			delete(out, fn)
		}
	}
	return out
}

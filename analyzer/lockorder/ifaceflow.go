package lockorder

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Interface values whose dynamic type the package decides (issue 14,
// item 2; nikepan/clickhouse-bulk#90).
//
// An interface with several implementations in the package resolves to
// none of them at a call (indirect.go). But the interface value called is
// often one the package itself wired: a field every store of the package
// fills with one concrete type (c := &Clickhouse{Dumper: d}), or a
// parameter every call site of the package passes one concrete type to,
// directly or through the caller's own parameter or a closure's captured
// variable (d.Listen(c) hands c to the goroutine that calls
// ProcessNextDump(sender)). That type's method runs at the call. A value
// the package gets from elsewhere (a call's result, a parameter of a
// function nothing in the package calls) is unknown, and the call stays
// unresolved.

// maxFlowDepth bounds the parameters and captured variables followed back.
const maxFlowDepth = 4

// flowType returns the one concrete type the package gives the interface
// value v, or nil.
func (c *checker) flowType(v ssa.Value) types.Type {
	var t types.Type
	if !c.flowTypes(v, 0, map[ssa.Value]bool{}, func(x types.Type) bool {
		if t == nil {
			t = x
		}
		return types.Identical(t, x)
	}) {
		return nil
	}
	return t
}

// flowTypes calls add with each concrete type v may hold and reports
// whether all are known (and add accepted them all).
func (c *checker) flowTypes(v ssa.Value, depth int, seen map[ssa.Value]bool, add func(types.Type) bool) bool {
	if depth > maxFlowDepth {
		return false
	}
	if seen[v] {
		return true // a cycle adds nothing new
	}
	seen[v] = true
	switch x := v.(type) {
	case *ssa.Const:
		// A nil interface has no dynamic type: a method called on it
		// panics and runs no method (s.closer = nil after its Close).
		return x.IsNil()
	case *ssa.MakeInterface:
		if types.IsInterface(x.X.Type()) {
			return false
		}
		return add(x.X.Type())
	case *ssa.ChangeType:
		return c.flowTypes(x.X, depth+1, seen, add)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return false
		}
		if a := c.varOf(x.X); a != nil {
			// A variable (a captured parameter is one): what is stored
			// in it.
			n := 0
			for _, r := range *a.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == a {
					n++
					if !c.flowTypes(st.Val, depth+1, seen, add) {
						return false
					}
				}
			}
			return n > 0
		}
		fa, ok := x.X.(*ssa.FieldAddr)
		if !ok {
			return false
		}
		fk := fieldKey(fa)
		stores := c.ifaceFieldStores()[fk]
		if fk == "" || len(stores) == 0 {
			return false
		}
		for _, val := range stores {
			if !c.flowTypes(val, depth+1, seen, add) {
				return false
			}
		}
		return true
	case *ssa.Parameter:
		fn := x.Parent()
		idx := -1
		for i, p := range fn.Params {
			if p == x {
				idx = i
			}
		}
		sites := c.sites[fn]
		if idx < 0 || len(sites) == 0 || c.escapes[fn] {
			return false
		}
		for _, s := range sites {
			if s.Call.IsInvoke() || idx >= len(s.Call.Args) || !c.flowTypes(s.Call.Args[idx], depth+1, seen, add) {
				return false
			}
		}
		return true
	case *ssa.FreeVar:
		fn := x.Parent()
		mc := c.k.closures[fn]
		if mc == nil {
			return false
		}
		for i, fv := range fn.FreeVars {
			if fv == x {
				return c.flowTypes(mc.Bindings[i], depth+1, seen, add)
			}
		}
	}
	return false
}

// varOf returns the local variable addr is, directly or as a closure's
// captured variable, when only loads and stores use it; nil otherwise.
func (c *checker) varOf(addr ssa.Value) *ssa.Alloc {
	if fv, ok := addr.(*ssa.FreeVar); ok {
		mc := c.k.closures[fv.Parent()]
		if mc == nil {
			return nil
		}
		for i, p := range fv.Parent().FreeVars {
			if p == fv {
				addr = mc.Bindings[i]
			}
		}
	}
	a, ok := addr.(*ssa.Alloc)
	if !ok {
		return nil
	}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != a {
				return nil // its address is stored somewhere
			}
		case *ssa.UnOp, *ssa.MakeClosure, *ssa.DebugRef:
		default:
			return nil // passed on: written where the pass cannot see
		}
	}
	return a
}

// ifaceFieldStores returns, for each struct field of interface type the
// package stores into, the values stored.
func (c *checker) ifaceFieldStores() map[string][]ssa.Value {
	if c.ifaceStores != nil {
		return c.ifaceStores
	}
	c.ifaceStores = map[string][]ssa.Value{}
	for _, fn := range c.srcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok || !types.IsInterface(st.Val.Type()) {
					continue
				}
				fa, ok := st.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				if fk := fieldKey(fa); fk != "" {
					c.ifaceStores[fk] = append(c.ifaceStores[fk], st.Val)
				}
			}
		}
	}
	return c.ifaceStores
}

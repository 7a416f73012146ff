package lockorder

import (
	"go/token"
	"go/types"
	"iter"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Back-pointers (issue 14, item 1; grpc-go #4391).
//
// An object often keeps a pointer back to its owner (`b.cc = cc`, the
// balancer wrapper's ClientConn). A goroutine holding cc.mu that reaches
// cc.balancer.cc.mu locks the owner's mutex again, though the path differs
// and no instance key proves it. lockorder reports such a double lock by
// class when the path from the held mutex's object to the acquired one
// leaves through a field to another type and comes back through a field
// of that other type pointing to the first type (a back-pointer), and the
// package shows the back-pointer is set from the owner: in one function it
// stores y into o.back and o into a field of y, or a constructor stores
// its parameter y into o.back and returns o, and a caller stores the
// result into a field of the argument it passed as y. Two objects of the
// same type locked in a fixed order (hand-over-hand along next pointers)
// do not leave through another type and are not reported.

// backInfo is one back-pointer field: a field of T2 pointing to T.
type backInfo struct {
	field string    // "pkg.T2.cc"
	pos   token.Pos // where the package sets it from the owner
}

// noteBackPointers finds, in fn, stores that make a back-pointer.
func (c *checker) noteBackPointers(fn *ssa.Function) {
	for st, fa := range fieldStores(fn) {
		// An interface field set to the owner (a callback interface
		// the owner implements) points back as well.
		y := st.Val
		if mi, ok := y.(*ssa.MakeInterface); ok {
			y = mi.X
		}
		holder := pointee(fa.X.Type())
		if holder == nil {
			continue
		}
		owners := c.ifaceParamOwners(fn, y, fa.X)
		if owner := pointee(y.Type()); owner != nil && c.linksBack(fn, y, fa.X) {
			owners = append(owners, owner)
		}
		for _, owner := range owners {
			if types.Identical(owner, holder) {
				continue
			}
			name := fieldName(fa.X.Type(), fa.Field)
			key := types.TypeString(owner, nil) + "|" + name
			if _, ok := c.backs[key]; !ok {
				c.backs[key] = &backInfo{field: fieldKey(fa), pos: st.Pos()}
			}
		}
	}
}

// pointee returns the named struct type *T points to, or nil.
func pointee(t types.Type) *types.Named {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	if !ok {
		return nil
	}
	if _, ok := n.Underlying().(*types.Struct); !ok {
		return nil
	}
	return n
}

// linksBack reports whether o, whose back-pointer fn sets to y, is made
// reachable from y: stored into a field of y in fn, or returned by fn
// when y is a parameter, with a caller storing the result into a field of
// the argument passed for y.
func (c *checker) linksBack(fn *ssa.Function, y, o ssa.Value) bool {
	if storedInto(o, y) {
		return true
	}
	p, ok := y.(*ssa.Parameter)
	if !ok || !returns(fn, o) {
		return false
	}
	idx := -1
	for i, q := range fn.Params {
		if q == p {
			idx = i
		}
	}
	for _, site := range c.sites[fn] {
		if idx < len(site.Call.Args) && storedInto(site, site.Call.Args[idx]) {
			return true
		}
	}
	return false
}

// ifaceParamOwners returns, when y is an interface parameter of the
// constructor fn that stores it into o and returns o, the types of the
// owners its callers convert to the interface for y and into a field of
// which they store the result (s.cache = newCache(s)).
func (c *checker) ifaceParamOwners(fn *ssa.Function, y, o ssa.Value) []*types.Named {
	p, ok := y.(*ssa.Parameter)
	if !ok || !types.IsInterface(p.Type()) || !returns(fn, o) {
		return nil
	}
	idx := slices.Index(fn.Params, p)
	var owners []*types.Named
	for _, site := range c.sites[fn] {
		if idx >= len(site.Call.Args) {
			continue
		}
		mi, ok := site.Call.Args[idx].(*ssa.MakeInterface)
		if !ok {
			continue
		}
		if owner := pointee(mi.X.Type()); owner != nil && storedInto(site, mi.X) {
			owners = append(owners, owner)
		}
	}
	return owners
}

// storedInto reports whether v (or v converted to an interface) is stored
// into a field of y.
func storedInto(v, y ssa.Value) bool {
	for _, w := range withConversions(v) {
		refs := w.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			st, ok := r.(*ssa.Store)
			if !ok || st.Val != w {
				continue
			}
			if fa, ok := st.Addr.(*ssa.FieldAddr); ok && fa.X == y {
				return true
			}
		}
	}
	return false
}

// withConversions returns v and the interface or type conversions of v.
func withConversions(v ssa.Value) []ssa.Value {
	vs := []ssa.Value{v}
	if refs := v.Referrers(); refs != nil {
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.MakeInterface:
				vs = append(vs, r)
			case *ssa.ChangeType:
				vs = append(vs, r)
			}
		}
	}
	return vs
}

// returns reports whether fn returns v (or v converted).
func returns(fn *ssa.Function, v ssa.Value) bool {
	for _, w := range withConversions(v) {
		refs := w.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			if _, ok := r.(*ssa.Return); ok {
				return true
			}
		}
	}
	return false
}

// backPointer returns the back-pointer through which li's path reaches the
// object whose mutex h is: li's instance key is h's object, then at least
// one field to another object, then a back-pointer to h's type, then the
// same mutex field.
func (c *checker) backPointer(h, li *lockInfo) *backInfo {
	if h.fkey == "" || h.fkey != li.fkey || h.alias != "" || li.alias != "" || h.inst == "" || li.inst == "" || byClass(h.inst) || byClass(li.inst) {
		return nil
	}
	i := strings.LastIndexByte(h.fkey, '.')
	if i < 0 {
		return nil
	}
	owner, mu := h.fkey[:i], h.fkey[i:]
	if !strings.HasSuffix(h.inst, mu) || !strings.HasSuffix(li.inst, mu) {
		return nil
	}
	obj := strings.TrimSuffix(h.inst, mu)
	mid, ok := strings.CutPrefix(strings.TrimSuffix(li.inst, mu), obj)
	if !ok || !strings.HasSuffix(mid, "^") || strings.Count(mid, ".") < 2 {
		return nil
	}
	mid = strings.TrimSuffix(mid, "^")
	last := mid[strings.LastIndexByte(mid, '.')+1:]
	return c.backs[owner+"|"+last]
}

// fieldStores yields fn's stores into struct fields, each with the
// field's address: the back-pointer, self-link, registration and owner
// scans all start from them.
func fieldStores(fn *ssa.Function) iter.Seq2[*ssa.Store, *ssa.FieldAddr] {
	return func(yield func(*ssa.Store, *ssa.FieldAddr) bool) {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok && !yield(st, fa) {
						return
					}
				}
			}
		}
	}
}

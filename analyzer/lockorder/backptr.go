package lockorder

import (
	"go/token"
	"go/types"
	"iter"
	"maps"
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
	field string       // "pkg.T2.cc"
	pos   token.Pos    // where the package sets it from the owner
	owner *types.Named // T
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
		if owner := pointee(y.Type()); owner != nil && (c.linksBack(fn, y, fa.X) || c.ownerSlot(fn, y, fa.X)) {
			owners = append(owners, owner)
		}
		for _, owner := range owners {
			if types.Identical(owner, holder) {
				continue
			}
			name := fieldName(fa.X.Type(), fa.Field)
			key := types.TypeString(owner, nil) + "|" + name
			if _, ok := c.backs[key]; !ok {
				c.backs[key] = &backInfo{field: fieldKey(fa), pos: st.Pos(), owner: owner}
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

// embeddedBack is backPointer for a mutex the owner holds inside a struct
// it embeds or contains by value ({p0}.Common.mu, the class
// pkg.Common.mu): the path from the owner's object ({p0}) leaves through
// a field to another type and comes back through a back-pointer to a type
// that holds that class, then through the same fields to the mutex.
func (c *checker) embeddedBack(h, li *lockInfo) *backInfo {
	if h.fkey == "" || h.fkey != li.fkey || h.alias != "" || li.alias != "" || h.inst == "" || li.inst == "" || byClass(h.inst) || byClass(li.inst) {
		return nil
	}
	cut := strings.LastIndexByte(h.inst, '^') + 1
	if cut == 0 {
		cut = strings.IndexByte(h.inst, '}') + 1
	}
	obj, tail := h.inst[:cut], h.inst[cut:]
	if cut == 0 || strings.Count(tail, ".") < 2 || strings.ContainsAny(tail, "^<[&") {
		return nil // a mutex field of the object itself: backPointer's case
	}
	mid, ok := strings.CutPrefix(strings.TrimSuffix(li.inst, tail), obj)
	if !ok || !strings.HasSuffix(li.inst, "^"+tail) || strings.Count(mid, ".") < 2 {
		return nil
	}
	mid = strings.TrimSuffix(mid, "^")
	last := "|" + mid[strings.LastIndexByte(mid, '.')+1:]
	keys := slices.Sorted(maps.Keys(c.backs))
	for _, k := range keys {
		if b := c.backs[k]; strings.HasSuffix(k, last) && b.owner != nil && hasLockClass(b.owner, h.fkey, 0) {
			return b
		}
	}
	return nil
}

// ownerSlot reports whether fn, which stores its parameter y into a field
// of o, is an exported constructor that the package never calls, whose
// result (o, or o converted) has the type of a field of y's own type: a
// wrapper made for the owner's slot (`func NewWrapped(c *Client) API`
// beside `Client.api API`), which the package's users wire back into the
// owner that they passed.
func (c *checker) ownerSlot(fn *ssa.Function, y, o ssa.Value) bool {
	if len(c.sites[fn]) > 0 {
		return false
	}
	p, ok := y.(*ssa.Parameter)
	if !ok || fn.Object() == nil || !fn.Object().Exported() || fn.Signature.Recv() != nil || fn.Signature.Results().Len() != 1 {
		return false
	}
	if !returns(fn, outerObject(o, 0)) {
		return false
	}
	owner := pointee(p.Type())
	if owner == nil {
		return false
	}
	return hasFieldOfType(owner, fn.Signature.Results().At(0).Type())
}

// outerObject returns the object a struct value at o ends up in: o's
// base through field addresses, and the field a local composite literal
// is copied into (`&T{in: In{back: y}}`).
func outerObject(o ssa.Value, depth int) ssa.Value {
	if depth > 4 {
		return o
	}
	switch v := o.(type) {
	case *ssa.FieldAddr:
		return outerObject(v.X, depth+1)
	case *ssa.Alloc:
		if v.Heap || v.Referrers() == nil {
			return o
		}
		for _, r := range *v.Referrers() {
			ld, ok := r.(*ssa.UnOp)
			if !ok || ld.Op != token.MUL || ld.Referrers() == nil {
				continue
			}
			for _, rr := range *ld.Referrers() {
				if st, ok := rr.(*ssa.Store); ok && st.Val == ld {
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
						return outerObject(fa.X, depth+1)
					}
				}
			}
		}
	}
	return o
}

// hasFieldOfType reports whether the struct t has a field of type ft,
// itself or in a struct it embeds or contains by value.
func hasFieldOfType(t types.Type, ft types.Type) bool {
	return someField(t, 0, func(_ *types.Named, f *types.Var) bool { return types.Identical(f.Type(), ft) })
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

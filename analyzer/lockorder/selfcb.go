package lockorder

import (
	"go/token"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// Exported callback fields (issue 14; fyne-io/fyne#4223).
//
// A user may store any function in an exported field (OnChanged), so a
// call through it runs nothing known in general. But when the package
// itself stores there a function bound to the very object whose field it
// is (e.OnChanged = func(s string) { … e.SetText(s) … }, or a method value
// of e), that function is what runs whenever the package's own
// configuration is in place: called through the same field of an object,
// it runs on that object. It is applied at the call, as a stored callback
// of an unexported field is (indirect.go), when it is the only such
// function that locks or waits on anything.
//
// A package also wires a child object's hook to its parent
// (srv.stack.OnFlow = srv.onFlow, or a closure capturing srv): when no
// function is bound to the child itself, the one such parent-bound
// function that locks or waits runs, on an object of the parent's type
// (by class), and a deferred or loop waker of the child needs its locks
// (tailscale/tailscale#18842: Close held s.mu while the stack's
// dispatchers, calling the hook, waited for it).

// selfCallback returns the call of the one function the package stores in
// the exported function field fk bound to the object holding the field,
// applied to at's object (fa.X).
func (f *fnChecker) selfCallback(fk string, call *ssa.CallCommon, fa *ssa.FieldAddr) ([]*ssa.CallCommon, bool) {
	var self []storedFunc
	for _, sf := range f.c.funcFields[fk] {
		if selfBound(sf) && !f.c.inert(sf.val) {
			self = append(self, sf)
		}
	}
	if len(self) == 0 {
		// A function bound to the object holding this one in a field
		// (srv.stack.OnFlow = srv.onFlow): it runs on that parent, an
		// object of its type.
		for _, sf := range f.c.funcFields[fk] {
			if parentBound(sf) && !f.c.inert(sf.val) {
				self = append(self, sf)
			}
		}
		if len(self) != 1 {
			return nil, false
		}
		if c := bindCall(self[0].val, call.Args, unknownVal{}, nil); c != nil {
			return []*ssa.CallCommon{c}, false
		}
		return nil, false
	}
	if len(self) != 1 {
		return nil, false
	}
	if c := bindCall(self[0].val, call.Args, self[0].base, fa.X); c != nil {
		f.viaSelf = fa
		return []*ssa.CallCommon{c}, false
	}
	return nil, false
}

// parentBound reports whether the stored function captures (or is a
// method value bound to) the object from whose field the object holding
// the function was loaded.
func parentBound(sf storedFunc) bool {
	mc, ok := sf.val.(*ssa.MakeClosure)
	if !ok || sf.base == nil {
		return false
	}
	return slices.ContainsFunc(mc.Bindings, func(b ssa.Value) bool { return parentOf(sf.base, b) })
}

// parentOf reports whether v is loaded from a field of x (x.f), or of
// the object the variable x holds.
func parentOf(v, x ssa.Value) bool {
	p := loadedFrom(v)
	if p == nil || x == nil {
		return false
	}
	if u, ok := p.(*ssa.UnOp); ok && u.Op == token.MUL && u.X == x {
		return true
	}
	return p == x
}

// selfBound reports whether the stored function captures (or is a method
// value bound to) the object whose field it is stored in: base itself, the
// variable base was loaded from, or the variable a parameter base was
// spilled to.
func selfBound(sf storedFunc) bool {
	mc, ok := sf.val.(*ssa.MakeClosure)
	if !ok || sf.base == nil {
		return false
	}
	for _, b := range mc.Bindings {
		if b == sf.base {
			return true
		}
		if u, ok := sf.base.(*ssa.UnOp); ok && u.Op == token.MUL && u.X == b {
			return true
		}
		if a, ok := b.(*ssa.Alloc); ok && spilledParam(a) != nil && ssa.Value(spilledParam(a)) == sf.base {
			return true
		}
	}
	return false
}

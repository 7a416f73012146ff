package lockorder

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Callback factories (issue 14; didip/tollbooth#107).
//
// A callback field that only an exported setter or constructor fills,
// from its parameter, or an exported field the package itself never
// fills, runs its users' functions: nothing known in general. But a package may also
// make those functions for its users: `func logRejected(lmt *Limiter)
// func(w, r)` returns a closure of the field's very type, for the object
// it is given, to be set on that object (lmt.SetOnLimitReached(
// logRejected(lmt))). When exactly one such factory's closure locks or
// waits on anything, it is what runs at a call of the field, with the
// factory's parameter bound to the object whose field is called: a
// callback that calls a getter read-locking the object, run while the
// object is read-locked, read-locks it twice (a writer queued in between
// blocks both).

// factoryFunc is a closure a function of the package returns, capturing
// one of that function's parameters.
type factoryFunc struct {
	fn  *ssa.Function
	mc  *ssa.MakeClosure
	obj *ssa.Parameter // the captured parameter the closure is made for
}

// noteFactory records the closures fn returns that capture one of its
// pointer parameters (directly, or the variable it was spilled to).
func (c *checker) noteFactory(fn *ssa.Function, ret *ssa.Return) {
	if len(ret.Results) != 1 {
		return
	}
	r := ret.Results[0]
	if ct, ok := r.(*ssa.ChangeType); ok {
		r = ct.X // a closure returned as a named function type
	}
	mc, ok := r.(*ssa.MakeClosure)
	if !ok {
		return
	}
	for _, b := range mc.Bindings {
		p, ok := b.(*ssa.Parameter)
		if a, isAlloc := b.(*ssa.Alloc); isAlloc {
			p, ok = spilledParam(a), spilledParam(a) != nil
		}
		if !ok || p.Parent() != fn {
			continue
		}
		if _, ptr := p.Type().Underlying().(*types.Pointer); ptr {
			c.factories = append(c.factories, factoryFunc{fn: fn, mc: mc, obj: p})
		}
	}
}

// userOnly reports whether the callback field fk is filled only by the
// package's users: from the parameters of exported functions, which no
// call of the package passes a function it knows, or, for an exported
// field, directly (the package stores nothing there).
func (c *checker) userOnly(fk string, exported bool) bool {
	if len(c.funcFields[fk]) > 0 || c.unknownFunc[fk] || len(c.passedFuncs(fk)) > 0 {
		return false
	}
	if len(c.paramFuncs[fk]) == 0 {
		return exported
	}
	for _, pf := range c.paramFuncs[fk] {
		if obj := pf.fn.Object(); obj == nil || !obj.Exported() {
			return false
		}
	}
	return true
}

// factoryCallback returns the call of the one closure a factory of the
// package makes, of the type of the field fa and for an object of fa's
// owner type, bound to fa's object, when the field is user-filled.
func (f *fnChecker) factoryCallback(fk string, call *ssa.CallCommon, fa *ssa.FieldAddr) []*ssa.CallCommon {
	if !f.c.userOnly(fk, fieldExported(fa)) {
		return nil
	}
	ft := fa.Type().(*types.Pointer).Elem()
	var found []factoryFunc
	for _, ff := range f.c.factories {
		if types.Identical(ff.fn.Signature.Results().At(0).Type(), ft) && types.Identical(ff.obj.Type(), fa.X.Type()) && !f.c.inert(ff.mc) {
			found = append(found, ff)
		}
	}
	if len(found) != 1 {
		return nil
	}
	c := bindCall(found[0].mc, call.Args, found[0].obj, fa.X)
	if c != nil {
		f.viaFactory = found[0].fn
		return []*ssa.CallCommon{c}
	}
	return nil
}

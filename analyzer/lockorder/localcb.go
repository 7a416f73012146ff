package lockorder

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A callback of an object built right here (issue 14, item 2;
// pingcap/tidb#40409).
//
// A function that holds its lock builds an object with a constructor that
// stores a closure into a callback field, then calls a method of the
// object that calls that field:
//
//	dm.mu.Lock()
//	defer dm.mu.Unlock()
//	d := NewDomain(store, func() { dm.Delete(store) })
//	if err := d.Init(); err != nil {
//		d.Close() // calls d.onClose: Delete locks dm.mu again
//	}
//
// Inside Close the closure's captured dm is another function's value, so
// the callee's summary can only say that it takes some domainMap's lock
// (paramcb.go). At this call the object is the one the constructor call
// in this function returned, so the closure is the one passed there,
// with the values it captured here: its locks are this function's own
// instances. The closure is run where the callee calls the field, with
// the locks held then.

// localCallback returns the closure that the constructor call in this
// function that built the object at v stored into the callback field fk,
// with that constructor call; nil if v was not built here that way.
func (f *fnChecker) localCallback(v ssa.Value, fk string) (*ssa.MakeClosure, *ssa.Call) {
	site, ok := v.(*ssa.Call)
	if !ok {
		// d = NewDomain(…) into a variable (or a captured one) stored
		// once in this function.
		u, isLoad := v.(*ssa.UnOp)
		if !isLoad || u.Op != token.MUL || u.X.Referrers() == nil {
			return nil, nil // not a load, or of a global
		}
		var only *ssa.Store
		for _, r := range *u.X.Referrers() {
			st, isStore := r.(*ssa.Store)
			if !isStore || st.Addr != u.X {
				continue
			}
			if only != nil || st.Parent() != f.fn {
				return nil, nil
			}
			only = st
		}
		if only == nil {
			return nil, nil
		}
		if site, ok = only.Val.(*ssa.Call); !ok {
			return nil, nil
		}
	}
	if site.Parent() != f.fn {
		return nil, nil
	}
	ctor := site.Call.StaticCallee()
	if ctor == nil {
		return nil, nil
	}
	for _, pf := range f.c.paramFuncs[fk] {
		if pf.fn != ctor || pf.recv || pf.idx >= len(site.Call.Args) {
			continue
		}
		if mc, ok := stripConv(site.Call.Args[pf.idx]).(*ssa.MakeClosure); ok {
			return mc, site
		}
	}
	return nil, nil
}

// applyLocalCallback runs, for a callee's call of the callback field of
// cb.Obj, the closure this function's constructor call stored there, with
// the locks the callee holds at that call.
func (f *fnChecker) applyLocalCallback(call *ssa.CallCommon, cb Callback, held []*lockInfo, pos token.Pos, s *state) {
	if cb.Obj.Path != "" {
		return
	}
	v := argOf(call, cb.Obj.Root)
	if v == nil {
		return
	}
	mc, site := f.localCallback(v, cb.Field)
	if mc == nil {
		return
	}
	var args []ssa.Value
	if sig, ok := mc.Type().Underlying().(*types.Signature); ok {
		for i := range sig.Params().Len() {
			args = append(args, unknownVal{t: sig.Params().At(i).Type()})
		}
	}
	c := bindCall(mc, args, nil, nil) // the bindings are this function's values
	if c == nil {
		return
	}
	inner := s.clone()
	for _, li := range held {
		if _, ok := inner.held[li.inst]; !ok {
			inner.held[li.inst] = li
		}
	}
	f.indirect++
	savedSite := f.viaSite
	f.viaSite = site
	f.call(c, pos, inner)
	f.viaSite = savedSite
	f.indirect--
}

package lockorder

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Functions kept in a slice or map field (issue 14; the container form of
// oxia-db/oxia#350).
//
// A registry often keeps its callbacks themselves in a container
// (`hooks []func()`, `handlers map[string]func(Event)`): it appends or
// puts them under its lock, and later ranges over the container and calls
// each one, or looks one up and calls it. Such a call runs one of the
// functions the package puts into that field, so, as for a callback field
// of a container's element (maxElemTargets), each of them (up to
// maxElemTargets that lock or wait on anything) is possible at the call
// and orders its locks after the held ones, by class. The container field
// is known only when every store into it is a make, nil, or an append to
// or reslice of its own elements, and every element put in it is a known
// function, closure or method value, or a parameter of a function whose
// call sites pass known ones (paramcb.go); anything else makes it
// unknown, and its calls resolve to nothing.
//
// A registration method that appends its parameter to a container field
// of its own receiver (OnUpdate(f): c.hooks = append(c.hooks, f)) is a
// setter (paramcb.go): a function its call site passes that captures the
// very receiver it registers with (cfg.OnUpdate(func() { cfg.Get() }))
// is in that object's container only, so called from a range over the
// container of at, it runs on at, and runs whenever it was registered
// (DataDog/datadog-agent#22898: Set ran the hooks holding the lock Get
// read-locks). A literal passed as a named func type is the literal.

// noteFuncElemStore records a function value put into a slice or map
// field: an element store into it (MapUpdate, or a Store through an
// IndexAddr), or the vararg of an append whose result is stored back
// into the field. A store of the field itself that is neither a make,
// nil, nor its own append or reslice makes its elements unknown.
func (c *checker) noteFuncElemStore(instr ssa.Instruction) {
	switch in := instr.(type) {
	case *ssa.MapUpdate:
		if !isFunc(in.Value.Type()) {
			return
		}
		if key := elemKey(in.Map); key != "" {
			c.noteElemValue(key, in.Value, loadedFrom(in.Map))
		}
	case *ssa.Store:
		if ia, ok := in.Addr.(*ssa.IndexAddr); ok && isFunc(in.Val.Type()) {
			if key := elemKey(ia.X); key != "" {
				c.noteElemValue(key, in.Val, loadedFrom(ia.X))
				return
			}
			if key, owner := appendedTo(ia.X); key != "" {
				c.noteElemValue(key, in.Val, owner)
			}
			return
		}
		fa, ok := in.Addr.(*ssa.FieldAddr)
		if !ok || !funcContainer(in.Val.Type()) {
			return
		}
		fk := fieldKey(fa)
		if fk == "" || ownContents(in.Val, fk) {
			return
		}
		c.unknownFunc[fk+"[]"] = true // as elemKey names its elements
	}
}

// isFunc reports whether t is a function type.
func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// funcContainer reports whether t is a slice, array or map of functions.
func funcContainer(t types.Type) bool {
	switch t := t.Underlying().(type) {
	case *types.Slice:
		return isFunc(t.Elem())
	case *types.Map:
		return isFunc(t.Elem())
	case *types.Array:
		return isFunc(t.Elem())
	}
	return false
}

// noteElemValue records v as put into the container whose key is key,
// a field of owner (nil if unknown).
func (c *checker) noteElemValue(key string, v ssa.Value, owner ssa.Value) {
	switch v := stripConv(v).(type) {
	case *ssa.Function, *ssa.MakeClosure:
		c.funcFields[key] = append(c.funcFields[key], storedFunc{val: v})
	case *ssa.Const:
		// nil: nothing runs
	case *ssa.Parameter:
		// A registration method (OnUpdate(f) appending f to its own
		// receiver's hooks) is a setter: its receiver is the owner.
		fn := v.Parent()
		for i, p := range fn.Params {
			if p == v {
				c.paramFuncs[key] = append(c.paramFuncs[key], paramFunc{fn: fn, idx: i, recv: i > 0 && owner != nil && owner == fn.Params[0] && fn.Signature.Recv() != nil})
			}
		}
	default:
		c.unknownFunc[key] = true
	}
}

// appendedTo returns the key of the elements of the container field
// that the vararg array arr of an append is appended to and stored back
// into (`s.hooks = append(s.hooks, fn)`), if that is what arr is, and the
// object whose field it is (s).
func appendedTo(arr ssa.Value) (string, ssa.Value) {
	a, ok := arr.(*ssa.Alloc)
	if !ok {
		return "", nil
	}
	for _, r := range *a.Referrers() {
		sl, ok := r.(*ssa.Slice)
		if !ok {
			continue
		}
		for _, r2 := range *sl.Referrers() {
			call, ok := r2.(*ssa.Call)
			if !ok || !isAppend(call) || len(call.Call.Args) != 2 || call.Call.Args[1] != sl {
				continue
			}
			key := elemKey(call.Call.Args[0])
			if key == "" {
				return "", nil
			}
			for _, r3 := range *call.Referrers() {
				if st, ok := r3.(*ssa.Store); ok && st.Val == call && fieldKey(st.Addr)+"[]" == key {
					return key, loadedFrom(call.Call.Args[0])
				}
			}
		}
	}
	return "", nil
}

// loadedFrom returns X when v is loaded from the field X.f, or nil.
func loadedFrom(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if fa, ok := u.X.(*ssa.FieldAddr); ok {
			return fa.X
		}
	}
	return nil
}

// isAppend reports whether call is the append builtin.
func isAppend(call *ssa.Call) bool {
	b, ok := call.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == "append"
}

// ownContents reports whether v, stored into the container field fk,
// holds only what the package put there through fk itself: a new empty
// container, nil, an append to the field's own value (whose new elements
// noteFuncElemStore records), or a reslice of it.
func ownContents(v ssa.Value, fk string) bool {
	switch v := v.(type) {
	case *ssa.Const:
		return true
	case *ssa.MakeMap:
		// A map literal's entries are put in before the store.
		for _, r := range *v.Referrers() {
			if _, ok := r.(*ssa.MapUpdate); ok {
				return false
			}
		}
		return true
	case *ssa.MakeSlice:
		return true
	case *ssa.Slice:
		return fieldKey(v.X) == fk
	case *ssa.Call:
		if !isAppend(v) || len(v.Call.Args) == 0 || fieldKey(v.Call.Args[0]) != fk {
			return false
		}
		if len(v.Call.Args) == 2 {
			if sl, ok := v.Call.Args[1].(*ssa.Slice); ok {
				if _, ok := sl.X.(*ssa.Alloc); ok {
					return true // the varargs, recorded by their stores
				}
			}
			return false // append(s.hooks, other...)
		}
		return true
	}
	return false
}

// funcElemField returns the key of the elements of the container field
// that the called function value v was taken from: a range over it (a
// map's value, a slice's element), an index or a lookup.
func funcElemField(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Extract:
		switch t := v.Tuple.(type) {
		case *ssa.Next:
			if r, ok := t.Iter.(*ssa.Range); ok && v.Index == 2 {
				return elemKey(r.X)
			}
		case *ssa.Lookup:
			if v.Index == 0 {
				return elemKey(t.X)
			}
		}
	case *ssa.Lookup:
		return elemKey(v.X)
	case *ssa.Index:
		return elemKey(v.X)
	case *ssa.UnOp:
		if ia, ok := v.X.(*ssa.IndexAddr); ok && v.Op == token.MUL {
			return elemKey(ia.X)
		}
	}
	return ""
}

// funcElemCalls returns the calls a call of a function taken from a
// container field may make: each function the package puts there that
// locks or waits on anything, all of them only possible.
func (f *fnChecker) funcElemCalls(call *ssa.CallCommon, key string) ([]*ssa.CallCommon, bool) {
	all := append(append([]storedFunc(nil), f.c.funcFields[key]...), f.c.passedFuncs(key)...)
	if f.c.unknownFunc[key] || len(all) == 0 {
		return nil, false
	}
	var stored []storedFunc
	for _, sf := range all {
		if !f.c.inert(sf.val) {
			stored = append(stored, sf)
		}
	}
	if len(stored) == 0 || len(stored) > maxElemTargets {
		return nil, false
	}
	var calls []*ssa.CallCommon
	for _, sf := range stored {
		// What the function captured, or the receiver of a method value,
		// belongs to the function that put it there: known by class.
		c := bindCall(sf.val, call.Args, unknownVal{}, nil)
		if at, _ := containerOf(call.Value); sf.base != nil && at != nil {
			// Registered with a method of the object it captured
			// (cfg.OnUpdate(func() { cfg.Get() })): only that object's
			// container holds it, so what it captured is at.
			if sc := bindCall(sf.val, call.Args, sf.base, at); sc != nil {
				c = sc
				if rangedElem(call.Value) {
					// Every element runs in turn: this one, on at,
					// whenever it was registered.
					if f.eachRun == nil {
						f.eachRun = map[*ssa.CallCommon]bool{}
					}
					f.eachRun[c] = true
				}
			}
		}
		if c == nil {
			continue
		}
		if sf.site != nil {
			if f.callSite == nil {
				f.callSite = map[*ssa.CallCommon]*ssa.Call{}
			}
			f.callSite[c] = sf.site
		}
		calls = append(calls, c)
	}
	return calls, true
}

package lockorder

import (
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// getterField resolves a call of a getter, a function whose one result
// is on every return a field of one of its parameters: the channel
// loaded from it (func (r *R) Done() <-chan struct{} { return r.done },
// chanuse.Accessor), or the address of a WaitGroup, Cond or lock in it
// (func (p *P) Group() *sync.WaitGroup { return &p.wg }). It returns the
// call's argument for that parameter, the field's name, and whether the
// call loads the field through the argument (a pointer) rather than
// taking its address or reading it from a struct value; x is nil when v
// is no such call. The keys of the call's result are then those of
// x.name, so a wait on r.Done() meets the close of r.done.
func getterField(v ssa.Value) (x ssa.Value, name string, load bool) {
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, "", false
	}
	fn := call.Call.StaticCallee()
	if fn == nil {
		return nil, "", false
	}
	addr := false
	f, i := chanuse.Accessor(fn)
	if f == nil {
		if f, i = addrGetter(fn); f != nil {
			addr = true
		} else if f, i = lockedGetter(fn); f == nil { // a pointer to an object with a lock (getterptr.go)
			if f, i = atomicGetter(fn); f == nil {
				return nil, "", false
			}
			if i >= len(call.Call.Args) {
				return nil, "", false
			}
			return call.Call.Args[i], f.Name(), true
		}
	}
	if i >= len(call.Call.Args) {
		return nil, "", false
	}
	x = call.Call.Args[i]
	_, ptr := x.Type().Underlying().(*types.Pointer)
	if addr && !ptr {
		return nil, "", false // the address of a copy's field
	}
	return x, f.Name(), ptr && !addr
}

// addrGetter returns the field and the parameter's index when fn returns,
// on every return, the address of a sync.WaitGroup, sync.Cond or lock
// field of that pointer parameter; else nil, -1.
func addrGetter(fn *ssa.Function) (*types.Var, int) {
	return fieldGetter(fn, syncWaitable, func(v ssa.Value) *ssa.FieldAddr {
		fa, _ := v.(*ssa.FieldAddr)
		return fa
	})
}

// fieldGetter returns the field and the parameter's index when fn, a
// package-level function with one pointer result whose target passes
// target, returns on every return the same field of the same pointer
// parameter, as at extracts it from the returned value; else nil, -1.
func fieldGetter(fn *ssa.Function, target func(types.Type) bool, at func(ssa.Value) *ssa.FieldAddr) (*types.Var, int) {
	if fn.Blocks == nil || fn.Parent() != nil || fn.Signature.Results().Len() != 1 {
		return nil, -1
	}
	p, ok := fn.Signature.Results().At(0).Type().(*types.Pointer)
	if !ok || !target(p.Elem()) {
		return nil, -1
	}
	var field *types.Var
	var param ssa.Value
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		fa := at(ret.Results[0])
		if fa == nil {
			return nil, -1
		}
		if _, ok := fa.X.(*ssa.Parameter); !ok {
			return nil, -1
		}
		f := chanuse.StructFieldOf(fa)
		if f == nil || field != nil && (f != field || fa.X != param) {
			return nil, -1
		}
		field, param = f, fa.X
	}
	for i, q := range fn.Params {
		if field != nil && q == param {
			return field, i
		}
	}
	return nil, -1
}

// syncWaitable reports whether t is one of sync's types a goroutine
// blocks on: a WaitGroup, a Cond, a Mutex or an RWMutex.
func syncWaitable(t types.Type) bool {
	for _, name := range []string{"WaitGroup", "Cond", "Mutex", "RWMutex"} {
		if isNamed(t, "sync", name) {
			return true
		}
	}
	return false
}

// atomicLoad returns the field address fa when call loads the pointer an
// atomic.Pointer field holds (fa.Load()): its result is the object the
// field points to, named as a plain pointer field's load (x.f^).
func atomicLoad(call *ssa.CallCommon) *ssa.FieldAddr {
	fn := call.StaticCallee()
	if fn == nil || fn.Name() != "Load" || fn.Signature.Recv() == nil || len(call.Args) != 1 {
		return nil
	}
	p, ok := fn.Signature.Recv().Type().(*types.Pointer)
	if !ok {
		return nil
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync/atomic" || n.Obj().Name() != "Pointer" {
		return nil
	}
	fa, _ := call.Args[0].(*ssa.FieldAddr)
	return fa
}

// atomicGetter returns the field and the parameter's index when fn
// returns, on every return, the pointer an atomic.Pointer field of that
// pointer parameter holds (func (c *C) getConn() *Conn { return
// c.conn.Load() }); else nil, -1. The call's result is then named by the
// field (c.conn^), so a callee's lock reached through it keeps its path.
func atomicGetter(fn *ssa.Function) (*types.Var, int) {
	return fieldGetter(fn, func(types.Type) bool { return true }, func(v ssa.Value) *ssa.FieldAddr {
		if c, ok := v.(*ssa.Call); ok {
			return atomicLoad(c.Common())
		}
		return nil
	})
}

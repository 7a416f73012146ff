package lockorder

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// lockedGetter returns the field and the parameter's index when fn
// returns, on every return, a pointer field of that pointer parameter
// whose target carries a lock of its own
// (func (b *Backend) BatchTx() *batchTx { return b.tx }, with batchTx
// embedding a sync.Mutex); else nil, -1. The call's result is then named
// by the field (b.tx^), so a lock the caller takes on it, or a callee
// leaves held on it, is an instance and not a lock class only
// (etcd-io/etcd#14080: newStoreTxnWrite locks the batch transaction it got
// from the backend's getter and returns with it held).
func lockedGetter(fn *ssa.Function) (*types.Var, int) {
	if fn.Blocks == nil || fn.Parent() != nil || fn.Signature.Results().Len() != 1 {
		return nil, -1
	}
	p, ok := fn.Signature.Results().At(0).Type().(*types.Pointer)
	if !ok || !hasOwnLock(p.Elem()) {
		return nil, -1
	}
	var field *types.Var
	var param ssa.Value
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		ld, ok := ret.Results[0].(*ssa.UnOp)
		if !ok || ld.Op != token.MUL {
			return nil, -1
		}
		fa, ok := ld.X.(*ssa.FieldAddr)
		if !ok {
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

// hasOwnLock reports whether t is a named struct with a sync.Mutex or
// sync.RWMutex field (embedded or not).
func hasOwnLock(t types.Type) bool {
	if _, ok := t.(*types.Named); !ok {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		ft := st.Field(i).Type()
		if isNamed(ft, "sync", "Mutex") || isNamed(ft, "sync", "RWMutex") {
			return true
		}
	}
	return false
}

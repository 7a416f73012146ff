package lockorder

import (
	"go/token"
	"go/types"

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
	return fieldGetter(fn, hasOwnLock, func(v ssa.Value) *ssa.FieldAddr {
		if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
			fa, _ := ld.X.(*ssa.FieldAddr)
			return fa
		}
		return nil
	})
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

package lockorder

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Mutex aliases (issue 14, item 1).
//
// A struct may keep a pointer to another struct's mutex (`r.mu = &ks.mu`,
// estuary/flow #3156): locking r.mu locks ks.mu. When every store the
// package makes into such a *sync.Mutex or *sync.RWMutex field is the
// address of one mutex field of one type, the pointer field's lock class
// is that field's: orders and double locks are computed on it, and a lock
// taken through the alias while the aliased field is held (or the other
// way round) is reported by class.

// aliasInfo is what the package stores into one pointer-to-mutex field.
type aliasInfo struct {
	target string    // field key of the mutex it points to ("pkg.KeySpace.mu")
	pos    token.Pos // a store, for messages
	bad    bool      // also set to something else (a parameter, a call's result)
}

// noteAlias records a store into a pointer-to-mutex field.
func (c *checker) noteAlias(st *ssa.Store) {
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok || !isMutexPtr(st.Val.Type()) {
		return
	}
	fk := fieldKey(fa)
	if fk == "" {
		return
	}
	a := c.aliases[fk]
	if a == nil {
		a = &aliasInfo{pos: st.Pos()}
		c.aliases[fk] = a
	}
	switch v := st.Val.(type) {
	case *ssa.Const:
		return // nil: locking it panics
	case *ssa.FieldAddr:
		if t := fieldKey(v); t != "" && (a.target == "" || a.target == t) {
			a.target = t
			return
		}
	}
	a.bad = true
}

// isMutexPtr reports whether t is *sync.Mutex or *sync.RWMutex.
func isMutexPtr(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	return isNamed(p.Elem(), "sync", "Mutex") || isNamed(p.Elem(), "sync", "RWMutex")
}

// lockField returns the field key naming the lock class of the mutex v
// points to, and, when v is loaded from a pointer field that aliases
// another struct's mutex, that pointer field's key.
func (c *checker) lockField(v ssa.Value) (fkey, alias string) {
	fk := fieldKey(v)
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return fk, ""
	}
	if _, ok := u.X.(*ssa.FieldAddr); !ok {
		return fk, ""
	}
	if a := c.aliases[fk]; a != nil && !a.bad && a.target != "" {
		return a.target, fk
	}
	return fk, ""
}

// aliasPair reports whether h and li are the same lock class and exactly
// one of them is reached through an alias field: the alias may point to
// the very mutex held.
func aliasPair(h, li *lockInfo) bool {
	return h.fkey != "" && h.fkey == li.fkey && h.inst != li.inst && (h.alias == "") != (li.alias == "")
}

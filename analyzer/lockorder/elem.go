package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// elemArg reports whether the argument that a callee's summary root
// ("{pN}") names is an element of a map, slice or array (an index, a map
// lookup, a range over either): such an object has no instance key, so a
// lock the callee takes through it is known by its lock class only, and
// orders the caller's held locks by class (lockdep) instead of being
// dropped.
func (f *fnChecker) elemArg(call *ssa.CallCommon, root string) bool {
	if !strings.HasPrefix(root, "{p") {
		return false
	}
	var i int
	if _, err := fmt.Sscanf(root, "{p%d}", &i); err != nil || i >= len(call.Args) {
		return false
	}
	return isElem(call.Args[i], 0) || f.getOrCreate(call.Args[i]) || f.elemGetter(call.Args[i])
}

// elemGetter reports whether v is the result of a call of a lookup
// method: a function (or the one implementation of an interface method)
// that returns, on every return, nil or an element read out of a
// container (`func (s *S) get(id ID) (*T, error) { ...; return s.m[id],
// nil }`). Its result is that element, as if the caller had read it.
func (f *fnChecker) elemGetter(v ssa.Value) bool {
	idx := 0
	if ex, ok := v.(*ssa.Extract); ok {
		v, idx = ex.Tuple, ex.Index
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	callee := call.Call.StaticCallee()
	if call.Call.IsInvoke() {
		if impls := f.c.implementations(call.Call.Method); len(impls) == 1 {
			callee = impls[0]
		}
	}
	if callee == nil || callee.Blocks == nil || callee.Pkg != f.fn.Pkg {
		return false
	}
	found := false
	for _, b := range callee.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || idx >= len(ret.Results) {
			continue
		}
		for _, r := range resultValues(ret.Results[idx]) {
			if c, ok := r.(*ssa.Const); ok && c.IsNil() {
				continue
			}
			if !isElem(r, 0) {
				return false
			}
			found = true
		}
	}
	return found
}

// resultValues returns the values a returned value can be: itself, or,
// for a result spilled to a local (a function with a defer returns its
// results through one), every value stored into that local.
func resultValues(r ssa.Value) []ssa.Value {
	u, ok := r.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return []ssa.Value{r}
	}
	a, ok := u.X.(*ssa.Alloc)
	if !ok || a.Heap || a.Referrers() == nil {
		return []ssa.Value{r}
	}
	var vs []ssa.Value
	for _, ref := range *a.Referrers() {
		if st, ok := ref.(*ssa.Store); ok && st.Addr == a {
			vs = append(vs, st.Val)
		}
	}
	return vs
}

// getOrCreate reports whether v is the value of a get-or-create: a phi
// whose edges are each an element read out of a container field or a
// value this function adds to a container field of the same name
// (`x, ok := m.byKey[k]; if !ok { x = m.newX(k); m.byKey[k] = x }`), with
// at least one of each. Either way the object is the container's element.
func (f *fnChecker) getOrCreate(v ssa.Value) bool {
	phi, ok := v.(*ssa.Phi)
	if !ok {
		return false
	}
	var read, added bool
	fields := map[string]bool{}
	for _, e := range phi.Edges {
		if name := elemField(e); name != "" {
			fields[name] = true
			read = true
		}
	}
	for _, e := range phi.Edges {
		if c, ok := e.(*ssa.Const); ok && c.IsNil() || elemField(e) != "" {
			continue
		}
		found := false
		for _, a := range f.c.additionsOf(f.fn) {
			if a.elem == e && fields[a.field] {
				found = true
			}
		}
		if !found {
			return false
		}
		added = true
	}
	return read && added
}

// elemField returns the name of the container field an element is read
// out of (m.byKey[k], with or without comma-ok), or "".
func elemField(v ssa.Value) string {
	if ex, ok := v.(*ssa.Extract); ok {
		v = ex.Tuple
	}
	var x ssa.Value
	switch v := v.(type) {
	case *ssa.Lookup:
		x = v.X
	case *ssa.UnOp:
		if ia, ok := v.X.(*ssa.IndexAddr); ok && v.Op == token.MUL {
			x = ia.X
		}
	}
	if u, ok := x.(*ssa.UnOp); ok && u.Op == token.MUL {
		x = u.X
	}
	if fa, ok := x.(*ssa.FieldAddr); ok {
		return fieldName(fa.X.Type(), fa.Field)
	}
	return ""
}

// isElem reports whether v is an element read out of a container.
func isElem(v ssa.Value, depth int) bool {
	switch v := v.(type) {
	case *ssa.Lookup, *ssa.Index:
		return true
	case *ssa.UnOp:
		if v.Op == token.MUL {
			_, ok := v.X.(*ssa.IndexAddr)
			return ok
		}
	case *ssa.Extract:
		switch v.Tuple.(type) {
		case *ssa.Lookup, *ssa.Next:
			return true
		}
	case *ssa.Phi:
		if depth > 3 {
			return false
		}
		found := false
		for _, e := range v.Edges {
			if c, ok := e.(*ssa.Const); ok && c.IsNil() {
				continue
			}
			if !isElem(e, depth+1) {
				return false
			}
			found = true
		}
		return found
	}
	return false
}

// elemClass names, by the type of the object, a wait of a callee's
// summary on a field of an argument that is an element of a map, slice
// or array ("{T:*pkg.T}.wg", as for a parameter of that type): the
// element has no instance key, and its field is the one a method of the
// type wakes (hashicorp/consul-esm#159: a check looked up in a map is
// stopped, which waits for its run loop's Done).
func (f *fnChecker) elemClass(call *ssa.CallCommon, a Acq) (class, descr string, ok bool) {
	if !f.elemArg(call, a.Root) {
		return "", "", false
	}
	var i int
	fmt.Sscanf(a.Root, "{p%d}", &i)
	root := call.Args[i]
	return norm("{T:" + types.TypeString(root.Type(), nil) + "}" + a.Path), desc(root) + descPath(a.Path), true
}

// invokeLocks returns the locks an interface method call takes when the
// package resolves it to one implementation (indirect.go): a waker that
// reports through an interface its owner implements needs the owner's
// lock (consul-esm#159's StatusHandler).
func (f *fnChecker) invokeLocks(call *ssa.Call) []*lockInfo {
	calls, maybe := f.indirectCalls(&call.Call)
	if maybe || len(calls) != 1 {
		return nil
	}
	callee := calls[0].StaticCallee()
	if callee == nil || f.c.inProgress[callee] {
		return nil
	}
	var locks []*lockInfo
	for _, a := range f.c.summaryOf(callee).Acquires {
		if a.Guard != "" || a.Once != "" {
			continue
		}
		if ik, ck, d, ok := f.subst(calls[0], a); ok && ck != "" {
			locks = append(locks, &lockInfo{inst: ik, class: ck, fkey: a.Lock, read: a.Read, pos: call.Pos(), desc: d, via: callee.Name()})
		}
	}
	return locks
}

// elemFieldClass names a field of an element of a map, slice or array
// (s.jobs[id].wg, <-s.tasks[i].done) by the element's type, as elemClass
// does for a callee's wait: "{T:*pkg.T}.wg"; "" for anything else.
func elemFieldClass(v ssa.Value) string {
	path := ""
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.FieldAddr:
			path = "." + fieldName(x.X.Type(), x.Field) + path
			v = x.X
			continue
		case *ssa.UnOp:
			if x.Op == token.MUL {
				if _, ok := x.X.(*ssa.IndexAddr); !ok {
					path = "^" + path
					v = x.X
					continue
				}
			}
		case *ssa.Call:
			if g, name, load := getterField(x); g != nil {
				if load {
					path = "^" + path
				}
				path = "." + name + path
				v = g
				continue
			}
		}
		if path == "" || !isElem(v, 0) {
			return ""
		}
		return norm("{T:" + types.TypeString(v.Type(), nil) + "}" + path)
	}
	return ""
}

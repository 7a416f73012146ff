package lockorder

import (
	"fmt"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Double locks out and back through a pair of fields that point two types
// at each other (issue 14; dropbox/marshal#55, nats-io/nats-server#1543).
//
// A child T keeps a pointer to its parent U (T.f *U) and the parent keeps
// its children in a container (U.g []*T, or a map or array of *T). Holding
// the child's mutex, a call on its parent (c.f.M()) that locks the mutex of
// every element of the parent's container locks the child's own mutex
// again when the child is one of them: what the pair of fields is for. The
// element lock is known by class only; lockorder reports it when the
// summary says where the element came from ("{p0}.g", Acq.From), the call
// went out through the holder's field f, and the types link both ways.
// The other direction (holding the parent's mutex, a call on an element of
// its container reaching back through the element's f) resolves by
// instance (mutualLink in owner.go).

// elemSource returns the instance key of the container field an element
// v was read from ("{p0}.g"): X.g[i], range X.g, or range over a copy
// append(nil-or-empty, X.g...); "" otherwise.
func elemSource(v ssa.Value) string {
	if x, g := containerOf(v); x != nil {
		if k := inst(x); k != "" {
			return k + "." + g
		}
		return ""
	}
	// range over a local copy of the container
	var c ssa.Value
	switch x := v.(type) {
	case *ssa.Extract:
		if n, ok := x.Tuple.(*ssa.Next); ok && x.Index == 2 && !n.IsString {
			if r, ok := n.Iter.(*ssa.Range); ok {
				c = r.X
			}
		}
	case *ssa.UnOp:
		if ia, ok := x.X.(*ssa.IndexAddr); ok {
			c = ia.X
		}
	}
	call, ok := c.(*ssa.Call)
	if !ok {
		return ""
	}
	if b, ok := call.Call.Value.(*ssa.Builtin); !ok || b.Name() != "append" || len(call.Call.Args) != 2 {
		return ""
	}
	if k, ok := call.Call.Args[0].(*ssa.Const); !ok || !k.IsNil() {
		return ""
	}
	u, ok := call.Call.Args[1].(*ssa.UnOp)
	if !ok {
		return ""
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return ""
	}
	if k := inst(fa.X); k != "" {
		return k + "." + fieldName(fa.X.Type(), fa.Field)
	}
	return ""
}

// substFrom rewrites a summary's From ("{p0}.g") at a call site.
func substFrom(call *ssa.CallCommon, from string) string {
	if !strings.HasPrefix(from, "{p") {
		return ""
	}
	var i int
	if _, err := fmt.Sscanf(from, "{p%d}", &i); err != nil || i >= len(call.Args) {
		return ""
	}
	k := inst(call.Args[i])
	if k == "" {
		return ""
	}
	return norm(k + from[strings.IndexByte(from, '}')+1:])
}

// namedIn returns the named type of pkg whose TypeString is name.
func namedIn(pkg *types.Package, name string) *types.Named {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || name[:i] != pkg.Path() {
		return nil
	}
	tn, ok := pkg.Scope().Lookup(name[i+1:]).(*types.TypeName)
	if !ok {
		return nil
	}
	n, _ := tn.Type().(*types.Named)
	return n
}

// mutualOut returns "T.f and U.g" when li, a lock of class h.fkey known by
// class only, is of an element of obj.f^.g, where h is obj's mutex, T.f is
// a *U and U.g holds *T.
func (c *checker) mutualOut(h, li *lockInfo) (link, f, g string) {
	if li.from == "" || h.inst == "" || byClass(h.inst) || h.alias != "" || li.alias != "" {
		return "", "", ""
	}
	i := strings.LastIndexByte(h.fkey, '.')
	if i < 0 {
		return "", "", ""
	}
	owner, mu := h.fkey[:i], h.fkey[i:]
	obj, ok := strings.CutSuffix(h.inst, mu)
	if !ok {
		return "", "", ""
	}
	rest, ok := strings.CutPrefix(li.from, obj+".")
	if !ok {
		return "", "", ""
	}
	f, g, ok = strings.Cut(rest, "^.")
	if !ok || strings.ContainsAny(f, ".^<[") || strings.ContainsAny(g, ".^<[") {
		return "", "", ""
	}
	t := namedIn(c.pass.Pkg, owner)
	if t == nil {
		return "", "", ""
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return "", "", ""
	}
	for j := 0; j < st.NumFields(); j++ {
		if st.Field(j).Name() != f {
			continue
		}
		u := pointee(st.Field(j).Type())
		if u == nil || types.Identical(u, t) || !holds(u, g, types.NewPointer(t)) {
			return "", "", ""
		}
		q := types.RelativeTo(c.pass.Pkg)
		return types.TypeString(t, q) + "." + f + " and " + types.TypeString(u, q) + "." + g, f, g
	}
	return "", "", ""
}

// mutualDouble reports li, a lock of every element of the holder's
// parent's container, acquired while the holder's own h is held.
func (c *checker) mutualDouble(h, li *lockInfo, link, f, g, when string) {
	c.report(li.pos, fmt.Sprintf("%s is locked%s while this goroutine holds %s (locked at line %d)%s, by lock class %s: the call reaches the elements of the container %s through this object's field %s, and the fields %s point the two types at each other, so this object is one of those elements and the second Lock waits forever for an Unlock only this goroutine could do",
		li.desc, c.how(li), h.desc, c.line(h.pos), when, li.fkey, g, f, link),
		append([]analysis.RelatedInformation{rel(h.pos, h.desc+" first locked here")}, c.related(li, "locked again here")[1:]...)...)
}

// elemFrom returns the container an element passed as the parameter root
// ("{p0}") of call was read from, or "".
func (f *fnChecker) elemFrom(call *ssa.CallCommon, root string) string {
	var i int
	if _, err := fmt.Sscanf(root, "{p%d}", &i); err != nil || i >= len(call.Args) {
		return ""
	}
	return elemSource(call.Args[i])
}

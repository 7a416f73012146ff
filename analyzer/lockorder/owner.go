package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Callbacks that capture their holder's owner (issue 14, item 2;
// 0xsequence/ethkit#116).
//
// A function that makes an object, stores into its callback field a
// closure capturing a third value, and adds the object to a slice or map
// field of that value, links them:
//
//	sub := &subscriber{}
//	sub.unsubscribe = func() { m.mu.Lock(); …; m.mu.Unlock() }
//	m.subscribers = append(m.subscribers, sub)
//
// When the callback is later called on an element of that very container
// (`for _, sub := range m.subscribers { sub.unsubscribe() }`), what the
// closure captured is the container's owner, m: its locks are m's, by
// instance. Called on an object whose container is not in sight (the
// receiver of a wrapper method, `func (s *subscriber) Unsubscribe() {
// s.unsubscribe() }`), the captured value is "the owner of s through
// subscribers", spelled "<subscribers" in keys and summaries, and resolved
// at the wrapper's call sites when its argument is an element of that
// container.

// ownerOf stands for the value whose container field (a slice or map
// field named field) holds elem.
type ownerOf struct {
	elem  ssa.Value
	field string
	t     types.Type
	name  string // how the function that linked them names the owner, for messages
}

func (o ownerOf) Name() string                  { return o.elem.Name() + "<" + o.field }
func (o ownerOf) String() string                { return o.elem.String() + "<" + o.field }
func (o ownerOf) Type() types.Type              { return o.t }
func (o ownerOf) Parent() *ssa.Function         { return o.elem.Parent() }
func (o ownerOf) Referrers() *[]ssa.Instruction { return nil }
func (o ownerOf) Pos() token.Pos                { return o.elem.Pos() }

// isOwnerVal reports whether v is an ownerOf: another function's value,
// named in messages as the callee knows it.
func isOwnerVal(v ssa.Value) bool {
	_, ok := v.(ownerOf)
	return ok
}

// resolve returns the owner itself when elem is visibly an element of its
// container field.
func (o ownerOf) resolve() ssa.Value {
	return containerOwner(o.elem, o.field)
}

// containerOwner returns X when v is an element loaded from X.field, a
// slice, array or map field (X.f[i], range X.f, X.f[k]); nil otherwise.
func containerOwner(v ssa.Value, field string) ssa.Value {
	if x, f := containerOf(v); x != nil && f == field {
		return x
	}
	// X.f itself, a pointer field that keeps the object (siteOwners).
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if fa, ok := u.X.(*ssa.FieldAddr); ok && fieldName(fa.X.Type(), fa.Field) == field {
			if _, ptr := v.Type().Underlying().(*types.Pointer); ptr {
				return fa.X
			}
		}
	}
	return nil
}

// containerOf returns X and f when v is an element loaded from X.f, a
// slice, array or map field; nil and "" otherwise.
func containerOf(v ssa.Value) (ssa.Value, string) {
	var c ssa.Value
	switch x := v.(type) {
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return nil, ""
		}
		ia, ok := x.X.(*ssa.IndexAddr)
		if !ok {
			return nil, ""
		}
		c = ia.X
	case *ssa.Index:
		c = x.X
	case *ssa.Lookup:
		c = x.X
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.Lookup:
			if x.Index != 0 {
				return nil, ""
			}
			c = t.X
		case *ssa.Next:
			if x.Index != 2 || t.IsString {
				return nil, ""
			}
			r, ok := t.Iter.(*ssa.Range)
			if !ok {
				return nil, ""
			}
			c = r.X
		default:
			return nil, ""
		}
	default:
		return nil, ""
	}
	if fa, ok := c.(*ssa.FieldAddr); ok {
		// &X.f[i] of an array field indexes the field in place
		if _, arr := derefUnder(fa.Type()).(*types.Array); arr {
			return fa.X, fieldName(fa.X.Type(), fa.Field)
		}
		return nil, ""
	}
	u, ok := c.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil, ""
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return nil, ""
	}
	return fa.X, fieldName(fa.X.Type(), fa.Field)
}

// derefUnder returns the underlying element type of pointer type t, or nil.
func derefUnder(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem().Underlying()
	}
	return nil
}

// substOwner resolves a leading "<field" of a summary path against the
// argument root: the owner whose field holds root, when root is one of its
// elements.
func substOwner(root ssa.Value, path string) (ssa.Value, string) {
	field, ok := ownerStep(path)
	if !ok {
		return root, path
	}
	if x := containerOwner(root, field); x != nil {
		return x, path[1+len(field):]
	}
	return root, path
}

// ownerStep returns the container field of a summary path's leading
// owner step ("<subscribers.mu"), if any.
func ownerStep(path string) (string, bool) {
	if !strings.HasPrefix(path, "<") {
		return "", false
	}
	end := len(path)
	if i := strings.IndexAny(path[1:], ".^<["); i >= 0 {
		end = i + 1
	}
	return path[1:end], true
}

// closureOwners returns, for a closure stored into a field of base, the
// values it captures that base is added to: the function adds base to a
// slice or map field of that value (append, an index or a map update).
func (c *checker) closureOwners(mc *ssa.MakeClosure, base ssa.Value) map[ssa.Value]string {
	fn := mc.Parent()
	if fn == nil {
		return nil
	}
	var out map[ssa.Value]string
	for _, b := range mc.Bindings {
		if b == base {
			continue
		}
		if f := c.publishes(fn, base, b); f != "" {
			if out == nil {
				out = map[ssa.Value]string{}
			}
			out[b] = f
		}
	}
	return out
}

// addition is a value a function adds to a slice or map field of an
// object: elem into obj.field.
type addition struct {
	elem, obj ssa.Value
	field     string
}

// additionsOf returns the values fn adds to slice or map fields (append
// stored back, an index store, a map update), computed once per function.
func (c *checker) additionsOf(fn *ssa.Function) []addition {
	if adds, ok := c.adds[fn]; ok {
		return adds
	}
	c.adds[fn] = nil // recursion
	// containerOf returns the object and field a container value is
	// loaded from (*&obj.f).
	containerOf := func(v ssa.Value) (ssa.Value, string) {
		if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
			v = u.X
		}
		if fa, ok := v.(*ssa.FieldAddr); ok {
			return fa.X, fieldName(fa.X.Type(), fa.Field)
		}
		return nil, ""
	}
	var adds []addition
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.MapUpdate:
				if obj, f := containerOf(in.Map); obj != nil {
					adds = append(adds, addition{in.Value, obj, f})
				}
			case *ssa.Store:
				if ia, ok := in.Addr.(*ssa.IndexAddr); ok {
					if obj, f := containerOf(ia.X); obj != nil {
						adds = append(adds, addition{in.Val, obj, f})
					}
					continue
				}
				fa, ok := in.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				call, ok := in.Val.(*ssa.Call)
				if !ok || len(call.Call.Args) != 2 {
					continue
				}
				if bi, ok := call.Call.Value.(*ssa.Builtin); !ok || bi.Name() != "append" {
					continue
				}
				for _, v := range sliceElems(call.Call.Args[1]) {
					adds = append(adds, addition{v, fa.X, fieldName(fa.X.Type(), fa.Field)})
				}
			case *ssa.Call:
				// A helper of the package that adds one parameter to a
				// container of another (scn.addListener(l)).
				callee := in.Call.StaticCallee()
				if callee == nil || callee.Pkg == nil || callee.Pkg != fn.Pkg || callee == fn || len(callee.Blocks) == 0 {
					continue
				}
				for _, a := range c.additionsOf(callee) {
					e, ok1 := a.elem.(*ssa.Parameter)
					o, ok2 := a.obj.(*ssa.Parameter)
					if !ok1 || !ok2 {
						continue
					}
					ei, oi := paramIndex(callee, e), paramIndex(callee, o)
					if ei >= 0 && oi >= 0 && ei < len(in.Call.Args) && oi < len(in.Call.Args) {
						adds = append(adds, addition{in.Call.Args[ei], in.Call.Args[oi], a.field})
					}
				}
			}
		}
	}
	c.adds[fn] = adds
	return adds
}

// publishes returns the name of the container field of owner into which
// fn adds elem, or "".
func (c *checker) publishes(fn *ssa.Function, elem, owner ssa.Value) string {
	isOwner := func(x ssa.Value) bool {
		if x == owner {
			return true
		}
		if k := inst(x); k != "" && k == inst(owner) {
			return true // two loads of one field (d.scn), barring a store between
		}
		if a, ok := owner.(*ssa.Alloc); ok {
			if u, ok := x.(*ssa.UnOp); ok && u.Op == token.MUL && u.X == a {
				return true
			}
			return spilledParam(a) != nil && x == ssa.Value(spilledParam(a))
		}
		return false
	}
	isElem := func(v ssa.Value) bool {
		if mi, ok := v.(*ssa.MakeInterface); ok {
			v = mi.X
		}
		if v == elem {
			return true
		}
		// Two loads of the variable holding elem.
		u1, ok1 := v.(*ssa.UnOp)
		u2, ok2 := elem.(*ssa.UnOp)
		if !ok1 || !ok2 || u1.Op != token.MUL || u2.Op != token.MUL || u1.X != u2.X {
			return false
		}
		_, isAlloc := u1.X.(*ssa.Alloc)
		return isAlloc
	}
	for _, a := range c.additionsOf(fn) {
		if isElem(a.elem) && isOwner(a.obj) {
			return a.field
		}
	}
	return ""
}

// sliceElems returns the values stored into the elements of a slice of a
// fresh array (the variadic slice of append(xs, a, b)).
func sliceElems(v ssa.Value) []ssa.Value {
	sl, ok := v.(*ssa.Slice)
	if !ok {
		return nil
	}
	arr, ok := sl.X.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var xs []ssa.Value
	for _, r := range *arr.Referrers() {
		ia, ok := r.(*ssa.IndexAddr)
		if !ok {
			continue
		}
		for _, r2 := range *ia.Referrers() {
			if st, ok := r2.(*ssa.Store); ok && st.Addr == ia {
				xs = append(xs, st.Val)
			}
		}
	}
	return xs
}

// Back-pointers to the container's owner (issue 14, items 1 and 2;
// tailscale/tailscale#7542).
//
// The same link made with a pointer field instead of a closure:
//
//	ln := &listener{s: s}
//	s.listeners[key] = ln
//
// sets ln.s to the value whose map field listeners holds ln. A method
// called on an element of s.listeners that locks its receiver's s.mu
// locks the container owner's mu: the summary path "{p0}.s^.mu" is
// resolved at the call site to s.mu, by instance. The link is kept only
// when every store into the field in the package is such a link, to the
// same container field.

// backOwner is a back-pointer field linked to the container field that
// holds the objects it is set on.
type backOwner struct {
	container string    // the owner's slice or map field, by name
	pos       token.Pos // where the package sets it from the owner
	mutual    string    // for a link by the types alone: "T.f and U.g" (see mutualLink)
}

// A back-pointer the package never sets (construction is elsewhere: an
// exported field, a kernel's elided constructor) links by the types alone
// when they point at each other: root is an element of X.g, X of type *U,
// U.g a slice, array or map of *T, and T.field a *U. The owner reached
// through root.field is then taken to be X, the object whose container
// root was taken from. A field the package sets from something that is not
// the container's owner is not linked (noteBackOwners records it nil).

// holds reports whether u's field g is a slice, array or map of elem.
func holds(u *types.Named, g string, elem types.Type) bool {
	st, ok := u.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i).Name() != g {
			continue
		}
		var e types.Type
		switch t := st.Field(i).Type().Underlying().(type) {
		case *types.Slice:
			e = t.Elem()
		case *types.Array:
			e = t.Elem()
		case *types.Map:
			e = t.Elem()
		}
		return e != nil && types.Identical(e, elem)
	}
	return false
}

// mutualLink returns the link of root's back-pointer field (root of type
// *n) to the container root was taken from, by the types alone, or nil.
func mutualLink(root ssa.Value, n *types.Named, field string) *backOwner {
	x, g := containerOf(root)
	if x == nil {
		return nil
	}
	u := pointee(x.Type())
	if u == nil || types.Identical(u, n) {
		return nil
	}
	st := n.Underlying().(*types.Struct)
	var ft types.Type
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i).Name() == field {
			ft = st.Field(i).Type()
		}
	}
	if ft == nil || !types.Identical(ft, x.Type()) || !holds(u, g, root.Type()) {
		return nil
	}
	q := types.RelativeTo(n.Obj().Pkg())
	return &backOwner{container: g, mutual: types.TypeString(n, q) + "." + field + " and " + types.TypeString(u, q) + "." + g}
}

// noteBackOwners records, in fn, stores of a value into a pointer field of
// an object that fn adds to a container field of that same value.
func (c *checker) noteBackOwners(fn *ssa.Function) {
	for st, fa := range fieldStores(fn) {
		if pointee(st.Val.Type()) == nil {
			continue
		}
		fk := fieldKey(fa)
		if fk == "" {
			continue
		}
		if len(c.additionsOf(fn)) == 0 {
			if _, seen := c.backOwners[fk]; !seen || c.backOwners[fk] != nil {
				c.backOwners[fk] = nil // set from something else: not a link
			}
			continue
		}
		if fk == "" {
			continue
		}
		cont := c.publishes(fn, fa.X, st.Val)
		if cont == "" {
			if v, ok := st.Val.(*ssa.UnOp); ok && v.Op == token.MUL {
				cont = c.publishes(fn, fa.X, v.X)
			}
		}
		old, seen := c.backOwners[fk]
		switch {
		case cont == "":
			c.backOwners[fk] = nil // set from something else: not a link
		case !seen:
			c.backOwners[fk] = &backOwner{container: cont, pos: st.Pos()}
		case old != nil && old.container != cont:
			c.backOwners[fk] = nil
		}
	}
}

// resolveBack rewrites root and path when path leaves root through a
// linked back-pointer field and root is an element of that link's
// container: the path then starts at the container's owner.
func (c *checker) resolveBack(root ssa.Value, path string, recv types.Type) (ssa.Value, string, *backOwner) {
	rest, ok := strings.CutPrefix(path, ".")
	if !ok {
		return root, path, nil
	}
	i := strings.IndexAny(rest, ".^<[")
	if i < 0 || rest[i] != '^' {
		return root, path, nil
	}
	field := rest[:i]
	t := root.Type()
	if types.IsInterface(t) && recv != nil {
		t = recv // an interface method's implementation: its receiver's type
	}
	n := pointee(t)
	if n == nil {
		return root, path, nil
	}
	fk := types.TypeString(n, nil) + "." + field
	bo, seen := c.backOwners[fk]
	if !seen {
		bo = mutualLink(root, n, field)
	}
	if bo == nil {
		return root, path, nil
	}
	owner := containerOwner(root, bo.container)
	if owner == nil {
		return root, path, nil
	}
	return owner, rest[i+1:], bo
}

// recvType returns the receiver type of a call's static callee when root
// names its receiver ("{p0}"), or nil.
func recvType(call *ssa.CallCommon, root string) types.Type {
	if root != "{p0}" {
		return nil
	}
	if fn, ok := call.Value.(*ssa.Function); ok && fn.Signature.Recv() != nil && len(fn.Params) > 0 {
		return fn.Params[0].Type()
	}
	return nil
}

// isPointerType reports whether t is a pointer type.
func isPointerType(t types.Type) bool {
	_, ok := t.Underlying().(*types.Pointer)
	return ok
}

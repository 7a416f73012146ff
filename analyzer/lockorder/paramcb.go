package lockorder

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Callbacks stored from a constructor's parameter (issue 14, item 2;
// containerd #10085, keybase/kbfs #250).
//
// `func newAdaptation(syncFn func()) *Adaptation { return
// &Adaptation{syncFn: syncFn} }` stores whatever its callers pass. When
// the field is called, the functions the package's own call sites of the
// constructor pass (a function, a closure, a method value) are the ones
// considered, and the message names the call site that passes it. A call
// site passing something the package cannot name (its own parameter, a
// call's result) contributes nothing, and callers in other packages are
// unknown: they stay silent. The receiver of a method value passed there,
// or a closure's captured variables, belong to the constructor's caller,
// so the locks they take are known by class only, unless the caller keeps
// the constructed object in a field of what the function captured: then
// that is the object's owner (siteOwners).

// A setter (`func (b *Bus) SetOnChange(f func()) { b.onChange = f }`) is
// such a constructor whose object is its receiver: a function its call
// site passes that captures that receiver (b.SetOnChange(func() {
// b.mu.Lock() … })) locks, when b.onChange is called, the very object
// whose field is called, so a call of b.onChange() with b.mu held is a
// double lock on one instance (99designs/gqlgen#1399).

// paramFunc is a constructor parameter stored into a callback field.
type paramFunc struct {
	fn  *ssa.Function
	idx int // index in fn.Params
	// recv: fn is a setter, storing the parameter into a field of its
	// own receiver (b.SetOnChange(f) sets b.onChange)
	recv bool
}

// passedFuncs returns the function values the package's call sites pass
// to the constructors that store a parameter into the callback field fk.
func (c *checker) passedFuncs(fk string) []storedFunc {
	var out []storedFunc
	for _, pf := range c.paramFuncs[fk] {
		for _, site := range c.sites[pf.fn] {
			if pf.idx >= len(site.Call.Args) {
				continue
			}
			// A literal passed as a named func type is converted first.
			switch v := stripConv(site.Call.Args[pf.idx]).(type) {
			case *ssa.Function, *ssa.MakeClosure:
				sf := storedFunc{val: v, site: site}
				if pf.recv {
					sf.base = site.Call.Args[0]
				} else if mc, ok := v.(*ssa.MakeClosure); ok {
					sf.owners = c.siteOwners(mc, site)
				}
				out = append(out, sf)
			case *ssa.Parameter:
				// A wrapper passing on its own parameter: what its
				// callers pass (forwarded.go).
				if !pf.recv {
					out = append(out, c.forwardedFuncs(v, 1)...)
				}
			}
		}
	}
	return out
}

// unknownVal stands for a value of another function (the receiver bound
// into a method value a constructor's caller passed): it has no instance
// or class key, so what is locked through it is known by class only.
type unknownVal struct {
	t      types.Type
	nonNil bool // certainly not nil (nilguard.go)
}

func (u unknownVal) Name() string                  { return "?" }
func (u unknownVal) String() string                { return "?" }
func (u unknownVal) Type() types.Type              { return u.t }
func (u unknownVal) Parent() *ssa.Function         { return nil }
func (u unknownVal) Referrers() *[]ssa.Instruction { return nil }
func (u unknownVal) Pos() token.Pos                { return token.NoPos }

// isUnknown reports whether v is an unknownVal.
func isUnknown(v ssa.Value) bool {
	_, ok := v.(unknownVal)
	return ok
}

// siteOwners returns, for a closure passed to the constructor call site,
// the values it captures that keep the object the call returns: the
// caller stores the result into a pointer field of that value
// (c.stream = newStream(func() { c.mu.Lock() … })) or adds it to one of
// its slice or map fields. Where the constructor's object calls the
// closure, what it captured is that object's owner through the field
// (owner.go) (Govcraft/emergent#50, hashicorp/golang-lru#233).
func (c *checker) siteOwners(mc *ssa.MakeClosure, site *ssa.Call) map[ssa.Value]string {
	var out map[ssa.Value]string
	for _, b := range mc.Bindings {
		f := c.publishes(site.Parent(), site, b)
		if f == "" {
			f = keptIn(site, b)
		}
		if f != "" {
			if out == nil {
				out = map[ssa.Value]string{}
			}
			out[b] = f
		}
	}
	return out
}

// keptIn returns the name of the pointer field of owner (a value, or
// the variable holding it) that v is stored into, directly or through
// the local variable v is first stored in; "" if none.
func keptIn(v, owner ssa.Value) string {
	isOwner := func(x ssa.Value) bool {
		if x == owner {
			return true
		}
		u, ok := x.(*ssa.UnOp)
		return ok && u.Op == token.MUL && u.X == owner
	}
	vals := []ssa.Value{v}
	for _, r := range *v.Referrers() {
		// st := newStream(…) kept in a variable the closure may capture.
		if st, ok := r.(*ssa.Store); ok && st.Val == v {
			if a, ok := st.Addr.(*ssa.Alloc); ok {
				for _, r2 := range *a.Referrers() {
					if u, ok := r2.(*ssa.UnOp); ok && u.Op == token.MUL {
						vals = append(vals, u)
					}
				}
			}
		}
	}
	for _, x := range vals {
		for _, r := range *x.Referrers() {
			st, ok := r.(*ssa.Store)
			if !ok || st.Val != x {
				continue
			}
			fa, ok := st.Addr.(*ssa.FieldAddr)
			if !ok || !isOwner(fa.X) {
				continue
			}
			if _, ptr := fa.Type().(*types.Pointer).Elem().Underlying().(*types.Pointer); ptr {
				return fieldName(fa.X.Type(), fa.Field)
			}
		}
	}
	return ""
}

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
// so the locks they take are known by class only.

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
				}
				out = append(out, sf)
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

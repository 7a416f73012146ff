package chanblock

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Add and Done in helpers (session 25, mixvar).
//
// `func (s *Sender) enter() { s.wg.Add(1) }` and `func (s *Sender)
// leave() { s.wg.Done() }` count and uncount a call in flight as surely
// as the Add and the Done written in place: a function that calls
// s.enter(), returns early on an error and calls s.leave() only on the
// other paths leaves the count up, and the Wait blocks forever. A call
// of such a helper (a function of the package whose one block calls only
// that method, on a field of one of its parameters, and Add with the
// constant 1) stands for the method on that field of what the call
// passes: wgVia below, which sameWG and wgFieldOf know. The rules that
// follow a WaitGroup field through a function (the Add not matched on
// a path, a call in flight) see it; releasedFields counts a helper's
// Done at the helper's callers.

// wgVia is the WaitGroup field fa's Field of x, for a helper's call
// that passes x as the parameter the helper's fa addresses.
type wgVia struct {
	x  ssa.Value
	fa *ssa.FieldAddr // in the helper
}

func (v wgVia) Name() string                  { return v.x.Name() + "." + v.field().Name() }
func (v wgVia) String() string                { return v.Name() }
func (v wgVia) Type() types.Type              { return v.fa.Type() }
func (v wgVia) Parent() *ssa.Function         { return v.x.Parent() }
func (v wgVia) Referrers() *[]ssa.Instruction { return nil }
func (v wgVia) Pos() token.Pos                { return v.x.Pos() }
func (v wgVia) field() *types.Var             { return chanuse.StructFieldOf(v.fa) }

// wgHelperCall returns, for c a call of a helper of pkg that calls only
// WaitGroup method name (Add with the constant 1) on a field of one of
// its parameters, that field of the argument c passes for it; else nil.
func wgHelperCall(c *ssa.CallCommon, pkg *ssa.Package, name string) ssa.Value {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg != pkg || c.IsInvoke() || len(fn.Blocks) != 1 || fn.Recover != nil || len(fn.Params) != len(c.Args) {
		return nil
	}
	var wg *ssa.FieldAddr
	for _, in := range fn.Blocks[0].Instrs {
		switch in := in.(type) {
		case *ssa.DebugRef, *ssa.Return:
		case *ssa.FieldAddr:
			if _, ok := in.X.(*ssa.Parameter); !ok {
				return nil
			}
		case *ssa.Call:
			w := wgCall(&in.Call, name)
			fa, ok := w.(*ssa.FieldAddr)
			if !ok || wg != nil || name == "Add" && !isOne(in.Call.Args) {
				return nil
			}
			wg = fa
		default:
			return nil
		}
	}
	if wg == nil {
		return nil
	}
	for i, p := range fn.Params {
		if p == wg.X {
			return wgVia{x: c.Args[i], fa: wg}
		}
	}
	return nil
}

// wgCallIn is wgCall that also sees a helper's call (wgHelperCall).
func wgCallIn(c *ssa.CallCommon, pkg *ssa.Package, name string) ssa.Value {
	if w := wgCall(c, name); w != nil {
		return w
	}
	return wgHelperCall(c, pkg, name)
}

// sameVia reports, for a or b a helper's WaitGroup (wgVia), whether the
// two name the same field of the same object; ok is false when neither
// is one.
func sameVia(a, b ssa.Value) (same, ok bool) {
	va, okA := a.(wgVia)
	vb, okB := b.(wgVia)
	switch {
	case okA && okB:
		return va.fa.Field == vb.fa.Field && types.Identical(va.fa.X.Type(), vb.fa.X.Type()) && samePath(va.x, vb.x), true
	case okA:
		fb, ok := b.(*ssa.FieldAddr)
		return ok && fb.Field == va.fa.Field && types.Identical(fb.X.Type(), va.fa.X.Type()) && samePath(fb.X, va.x), true
	case okB:
		return sameVia(b, a)
	}
	return false, false
}

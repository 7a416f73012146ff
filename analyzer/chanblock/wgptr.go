package chanblock

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A WaitGroup kept behind a pointer field: the constructor allocates it
// and stores its address (`var wg sync.WaitGroup; &T{wg: &wg}`,
// `wg: new(sync.WaitGroup)`), and the methods call x.wg.Add, x.wg.Done and
// x.wg.Wait through a load of the field (trickstercache/trickster#356's
// progressive collapse forwarder). When every store into the field holds
// such a WaitGroup, allocated for that store alone, the pointer field is
// the WaitGroup as surely as a value field is: waitGroups' rules that
// follow a field (the Wait waited on, the in-flight count a method drops
// itself, releasedFields) treat a load of it as the field.

// loadedWGField returns the field address v loads when v is a load of a
// *sync.WaitGroup struct field (v = *(&x.f)), else nil.
func loadedWGField(v ssa.Value) *ssa.FieldAddr {
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL || !isWaitGroupPtr(u.Type()) {
		return nil
	}
	fa, _ := u.X.(*ssa.FieldAddr)
	return fa
}

// wgFieldOf returns the struct field v is the WaitGroup of: the field v
// addresses (a sync.WaitGroup field), or the *sync.WaitGroup field v
// loads when owned says every store into it holds a WaitGroup of its own.
func wgFieldOf(v ssa.Value, owned map[*types.Var]bool) *types.Var {
	if via, ok := v.(wgVia); ok {
		return via.field()
	}
	if f := chanuse.StructFieldOf(v); f != nil {
		return f
	}
	if fa := loadedWGField(v); fa != nil {
		if f := chanuse.StructFieldOf(fa); f != nil && owned[f] {
			return f
		}
	}
	return nil
}

// sameLoadedWG reports whether a and b load the same *sync.WaitGroup
// field of the same object.
func sameLoadedWG(a, b ssa.Value) bool {
	fa, fb := loadedWGField(a), loadedWGField(b)
	return fa != nil && fb != nil && fa.Field == fb.Field && sameObj(fa.X, fb.X)
}

// ownedWGPtrFields returns the *sync.WaitGroup fields of the package's
// structs whose every store holds a WaitGroup allocated for that store
// (an Alloc, or new(sync.WaitGroup), used by nothing but stores into
// fields of the same name), and whose address is used for nothing but
// those stores and loads: no WaitGroup handed in by a caller, nothing
// else able to reach the count.
func ownedWGPtrFields(funcs []*ssa.Function) map[*types.Var]bool {
	owned := map[*types.Var]bool{}
	bad := map[*types.Var]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				p, ok := fa.Type().(*types.Pointer)
				if !ok || !isWaitGroupPtr(p.Elem()) {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				if f == nil {
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.UnOp:
						if r.Op != token.MUL {
							bad[f] = true
						}
					case *ssa.Store:
						if r.Addr != fa || !freshWG(r.Val, f) {
							bad[f] = true
						} else {
							owned[f] = true
						}
					default:
						bad[f] = true
					}
				}
			}
		}
	}
	for f := range bad {
		delete(owned, f)
	}
	return owned
}

// freshWG reports whether v is a WaitGroup allocated here and used only
// by stores into field f.
func freshWG(v ssa.Value, f *types.Var) bool {
	a, ok := v.(*ssa.Alloc)
	if !ok {
		return false
	}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Val != a || chanuse.StructFieldOf(r.Addr) != f {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// releasedPtrFields adds to released the owned pointer fields whose count
// another function may drop: a Done through the field in a function that
// neither calls Add through it, nor is nested in one that does, nor is
// started by a go statement, and a load of the field used other than as
// the receiver of Add, Done, Wait or Go (the WaitGroup handed on).
func releasedPtrFields(funcs []*ssa.Function, owned map[*types.Var]bool, released map[*types.Var]bool) {
	releasedBy(funcs, released, func(instr ssa.Instruction) (ssa.Value, *types.Var) {
		u, ok := instr.(*ssa.UnOp)
		if !ok {
			return nil, nil
		}
		fa := loadedWGField(u)
		if fa == nil {
			return nil, nil
		}
		if f := chanuse.StructFieldOf(fa); f != nil && owned[f] {
			return u, f
		}
		return nil, nil
	})
}

// leavesField reports whether c, a call that is handed the owner of
// WaitGroup field f (not the WaitGroup itself), cannot reach f: its
// callee is a function of this package that, with the functions of the
// package it calls or makes (four levels deep), neither addresses f nor
// makes a dynamic call (an interface method, a function value) that
// might. A method of the owner that only reads other fields (the
// forwarder's IndexRead) does not drop the count for the caller.
func leavesField(c *ssa.CallCommon, pkg *ssa.Package, f *types.Var) bool {
	if f == nil || f.Exported() {
		return false
	}
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg != pkg {
		return false
	}
	seen := map[*ssa.Function]bool{}
	var reaches func(fn *ssa.Function, depth int) bool
	reaches = func(fn *ssa.Function, depth int) bool {
		if seen[fn] {
			return false
		}
		seen[fn] = true
		if depth > 4 || fn.Blocks == nil {
			return true
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.FieldAddr:
					if chanuse.StructFieldOf(in) == f {
						return true
					}
				case *ssa.MakeClosure:
					if reaches(in.Fn.(*ssa.Function), depth+1) {
						return true
					}
				case ssa.CallInstruction:
					cc := in.Common()
					if cc.IsInvoke() {
						// Only a method of a type of this package can
						// address the unexported field: follow each
						// method of the package of that name.
						for _, m := range pkgMethods(pkg, cc.Method) {
							if reaches(m, depth+1) {
								return true
							}
						}
						continue
					}
					for _, a := range cc.Args {
						if g, ok := a.(*ssa.Function); ok && g.Pkg == pkg && reaches(g, depth+1) {
							return true // a function of the package handed on
						}
					}
					callee := cc.StaticCallee()
					if callee == nil {
						if _, ok := cc.Value.(*ssa.Builtin); ok {
							continue
						}
						return true
					}
					if callee.Pkg == pkg && reaches(callee, depth+1) {
						return true
					}
				}
			}
		}
		return false
	}
	return !reaches(fn, 0)
}

// pkgMethods returns the methods named like m of the named types declared
// in pkg (on the type or its pointer): the functions of the package an
// interface call of m may dispatch to.
func pkgMethods(pkg *ssa.Package, m *types.Func) []*ssa.Function {
	var out []*ssa.Function
	prog := pkg.Prog
	for _, mem := range pkg.Members {
		t, ok := mem.(*ssa.Type)
		if !ok {
			continue
		}
		if _, ok := t.Type().Underlying().(*types.Interface); ok {
			continue
		}
		for _, typ := range []types.Type{t.Type(), types.NewPointer(t.Type())} {
			sel := prog.MethodSets.MethodSet(typ).Lookup(m.Pkg(), m.Name())
			if sel == nil {
				continue
			}
			if fn := prog.MethodValue(sel); fn != nil {
				out = append(out, fn)
			}
		}
	}
	return out
}

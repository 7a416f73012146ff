package chanuse

import (
	"go/token"
	"go/types"
	"slices"
	"sync"

	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"
)

// Calls the package decides without naming the callee (issue 14, list B
// item 1; docker/compose#14114).
//
// A call through an interface, or through a function kept in a package
// variable, has no static callee, so a channel handed to it (or a method
// reached only that way) ended its trail there. Two such calls have one
// callee all the same when the package is the only one that decides it:
//
//   - a method call on an interface the package declares, when exactly
//     one concrete type of everything the package converts to an
//     interface implements it (Full returns &ttyWriter{} as an
//     EventProcessor and bus.Done(...) runs (*ttyWriter).Done);
//   - a call of an unexported package variable of function type that the
//     package sets exactly once, to a function or a literal, and never
//     hands out by address (var afterFunc = func(...) ...).
//
// An interface of another package (io.Writer) has implementations the
// package never sees, an exported variable may be set by other packages,
// and an interface two converted types implement is ambiguous: those
// stay unresolved.

// resolver holds what the package converts to interfaces and stores in
// its function variables.
type resolver struct {
	pkg       *ssa.Package
	converted []types.Type                  // concrete types converted to an interface, once each
	funcVars  map[*ssa.Global]*ssa.Function // variables set once to a function
}

// maxResolvers bounds the packages whose scan is kept: the passes of the
// suite on one package share its scan, and a driver that analyzes many
// packages in one process must not keep every package's SSA alive.
const maxResolvers = 4

var (
	resolversMu sync.Mutex
	resolvers   []*resolver // the most recent last
)

// Callee returns the function of the package that c runs: its static
// callee, or the one the package decides for an interface method call
// or a call of a function variable (see above). It returns nil for a
// callee outside pkg or without a body.
func Callee(pkg *ssa.Package, c *ssa.CallCommon) *ssa.Function {
	var fn *ssa.Function
	switch v := c.Value.(type) {
	case *ssa.Function:
		fn = v
	case *ssa.MakeClosure:
		fn = v.Fn.(*ssa.Function)
	default:
		if pkg == nil {
			return nil
		}
		r := resolverOf(pkg)
		if c.IsInvoke() {
			fn = r.invoke(pkg, c)
		} else if u, ok := c.Value.(*ssa.UnOp); ok && u.Op == token.MUL {
			if g, ok := u.X.(*ssa.Global); ok {
				fn = r.funcVars[g]
			}
		}
	}
	if fn == nil || fn.Blocks == nil || fn.Pkg != pkg {
		return nil
	}
	return fn
}

// invoke returns the method an interface call runs, if the package
// decides it.
func (r *resolver) invoke(pkg *ssa.Package, c *ssa.CallCommon) *ssa.Function {
	named, ok := types.Unalias(c.Value.Type()).(*types.Named)
	if !ok || named.Obj().Pkg() != pkg.Pkg {
		return nil // an interface of another package: its implementations are its own
	}
	iface, ok := named.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var only types.Type
	for _, t := range r.converted {
		if !types.Implements(t, iface) {
			continue
		}
		if only != nil {
			return nil // two implementations: either may run
		}
		only = t
	}
	if only == nil {
		return nil
	}
	sel := pkg.Prog.MethodSets.MethodSet(only).Lookup(c.Method.Pkg(), c.Method.Name())
	if sel == nil {
		return nil
	}
	return pkg.Prog.MethodValue(sel)
}

// resolverOf returns the package's resolver, scanning it the first time.
func resolverOf(pkg *ssa.Package) *resolver {
	resolversMu.Lock()
	defer resolversMu.Unlock()
	for _, r := range resolvers {
		if r.pkg == pkg {
			return r
		}
	}
	r := &resolver{pkg: pkg, funcVars: map[*ssa.Global]*ssa.Function{}}
	if len(resolvers) == maxResolvers {
		resolvers = slices.Delete(resolvers, 0, 1)
	}
	resolvers = append(resolvers, r)
	var seenType typeutil.Map // *T converted twice is two *types.Pointer
	stores := map[*ssa.Global]int{}
	other := map[*ssa.Global]bool{} // used other than stored to or loaded
	var scan func(fn *ssa.Function)
	scan = func(fn *ssa.Function) {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.MakeInterface:
					t := in.X.Type()
					if !types.IsInterface(t) && seenType.Set(t, true) == nil {
						r.converted = append(r.converted, t)
					}
				case *ssa.Store:
					if g, ok := in.Addr.(*ssa.Global); ok && g.Pkg == pkg {
						stores[g]++
						var f *ssa.Function
						switch v := in.Val.(type) {
						case *ssa.Function:
							f = v
						case *ssa.MakeClosure:
							f = v.Fn.(*ssa.Function)
						}
						if f == nil {
							other[g] = true
						} else {
							r.funcVars[g] = f
						}
					}
					if g, ok := in.Val.(*ssa.Global); ok {
						other[g] = true
					}
					continue
				case *ssa.UnOp:
					if in.Op == token.MUL {
						continue
					}
				}
				for _, op := range instr.Operands(nil) {
					if g, ok := (*op).(*ssa.Global); ok {
						other[g] = true
					}
				}
			}
		}
		for _, a := range fn.AnonFuncs {
			scan(a)
		}
	}
	for _, m := range pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			scan(m)
		case *ssa.Type:
			if named, ok := types.Unalias(m.Type()).(*types.Named); ok {
				for i := range named.NumMethods() {
					if f := pkg.Prog.FuncValue(named.Method(i)); f != nil {
						scan(f)
					}
				}
			}
		}
	}
	for g := range r.funcVars {
		if stores[g] != 1 || other[g] || g.Object() == nil || g.Object().Exported() {
			delete(r.funcVars, g)
		}
	}
	return r
}

// SrcFuncs returns the package's source functions: buildssa's SrcFuncs
// and the function literals of package-level variable initializers
// (var afterFunc = func(...) {...}), which buildssa leaves out because
// they belong to the synthetic init; a call of such a variable runs them
// (see Callee).
func SrcFuncs(s *buildssa.SSA) []*ssa.Function {
	init := s.Pkg.Func("init")
	if init == nil || len(init.AnonFuncs) == 0 {
		return s.SrcFuncs
	}
	funcs := slices.Clip(s.SrcFuncs)
	var add func(fns []*ssa.Function)
	add = func(fns []*ssa.Function) {
		for _, f := range fns {
			funcs = append(funcs, f)
			add(f.AnonFuncs)
		}
	}
	add(init.AnonFuncs)
	return funcs
}

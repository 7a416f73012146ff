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
// stay unresolved for Callee.
//
// Callees (session 17) keeps the ambiguous ones: every implementation
// among the converted types, at most maxCallees of them, each of which
// the call may run. It also resolves a call through an unexported struct
// field of function type (s.handle(x)) when every store to the field in
// the package stores a function of the package or a literal, and the
// field's address never leaves the store or load that takes it: the
// package alone can set it, so it holds one of those or nil.

// resolver holds what the package converts to interfaces and stores in
// its function variables.
type resolver struct {
	pkg       *ssa.Package
	converted []types.Type                  // concrete types converted to an interface, once each
	funcVars  map[*ssa.Global]*ssa.Function // variables set once to a function
	// fieldFuncs are the functions stored in an unexported field of
	// function type (its origin); a field with a store of anything else,
	// or whose address escapes, maps to nil.
	fieldFuncs map[*types.Var][]*ssa.Function

	wrapOnce sync.Once
	wrappers map[*ssa.Function][]Wrap // see wrap.go
}

// maxCallees bounds the functions Callees returns for one call.
const maxCallees = 4

// maxResolvers bounds the packages whose scan is kept: the passes of the
// suite on one package share its scan, and a driver that analyzes many
// packages in one process must not keep every package's SSA alive.
const maxResolvers = 4

var (
	resolversMu sync.Mutex
	resolvers   []*resolver // the most recent last
)

// Callee returns the function of the package that c runs: its static
// callee, or the one the package decides for an interface method call,
// a call of a function variable or of a function field (see above). It
// returns nil for a callee outside pkg or without a body, and when the
// call may run several functions.
func Callee(pkg *ssa.Package, c *ssa.CallCommon) *ssa.Function {
	if fns := Callees(pkg, c); len(fns) == 1 {
		return fns[0]
	}
	return nil
}

// Callees returns every function of the package that c may run: its
// static callee, each implementation among the package's converted types
// of a method of an interface the package declares, the function a
// function variable is set to, or the functions stored in a function
// field (see above). It returns nil when one of them is outside pkg or
// has no body, when there are more than maxCallees, and for a call the
// package does not decide.
func Callees(pkg *ssa.Package, c *ssa.CallCommon) []*ssa.Function {
	var fns []*ssa.Function
	switch v := c.Value.(type) {
	case *ssa.Function:
		fns = []*ssa.Function{v}
	case *ssa.MakeClosure:
		fns = []*ssa.Function{v.Fn.(*ssa.Function)}
	default:
		if pkg == nil {
			return nil
		}
		r := resolverOf(pkg)
		if c.IsInvoke() {
			fns = r.invoke(pkg, c)
			break
		}
		switch v := c.Value.(type) {
		case *ssa.UnOp:
			if v.Op != token.MUL {
				break
			}
			switch x := v.X.(type) {
			case *ssa.Global:
				if fn := r.funcVars[x]; fn != nil {
					fns = []*ssa.Function{fn}
				}
			case *ssa.FieldAddr:
				if f := StructField(x.X.Type(), x.Field, true); f != nil {
					fns = r.fieldFuncs[f.Origin()]
				}
			}
		case *ssa.Field:
			if f := StructField(v.X.Type(), v.Field, false); f != nil {
				fns = r.fieldFuncs[f.Origin()]
			}
		}
	}
	if len(fns) == 0 || len(fns) > maxCallees {
		return nil
	}
	cloned := false
	for i, fn := range fns {
		if o := originIn(fn, pkg); o != nil {
			// An instance of a generic function of the package (a call
			// from generic code, or with type arguments): without
			// ssa.InstantiateGenerics the instance is a wrapper of no
			// package that converts its arguments and calls the body, so
			// the package's code is the generic body, whose parameters
			// are the instance's, one for one. fns may be the resolver's
			// own slice: copy it before the first change.
			if !cloned {
				fns, cloned = slices.Clone(fns), true
			}
			fns[i], fn = o, o
		}
		if fn == nil || fn.Blocks == nil || fn.Pkg != pkg {
			return nil
		}
	}
	return fns
}

// originIn returns the generic function of pkg that fn, an instance
// wrapper, stands for; nil when fn is not one.
func originIn(fn *ssa.Function, pkg *ssa.Package) *ssa.Function {
	if fn == nil || fn.Pkg != nil {
		return nil
	}
	if o := fn.Origin(); o != nil && o.Pkg != nil && o.Pkg == pkg && len(o.Params) == len(fn.Params) {
		return o
	}
	return nil
}

// invoke returns the methods an interface call may run, if the package
// decides them: one per converted type implementing the interface.
func (r *resolver) invoke(pkg *ssa.Package, c *ssa.CallCommon) []*ssa.Function {
	named, ok := types.Unalias(c.Value.Type()).(*types.Named)
	if !ok || named.Obj().Pkg() != pkg.Pkg {
		return nil // an interface of another package: its implementations are its own
	}
	iface, ok := named.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var fns []*ssa.Function
	for _, t := range r.converted {
		if !types.Implements(t, iface) {
			continue
		}
		if len(fns) == maxCallees {
			return nil // too many to follow each
		}
		sel := pkg.Prog.MethodSets.MethodSet(t).Lookup(c.Method.Pkg(), c.Method.Name())
		if sel == nil {
			return nil
		}
		fns = append(fns, pkg.Prog.MethodValue(sel))
	}
	return fns
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
	r := &resolver{pkg: pkg, funcVars: map[*ssa.Global]*ssa.Function{}, fieldFuncs: map[*types.Var][]*ssa.Function{}}
	if len(resolvers) == maxResolvers {
		resolvers = slices.Delete(resolvers, 0, 1)
	}
	resolvers = append(resolvers, r)
	var seenType typeutil.Map // *T converted twice is two *types.Pointer
	stores := map[*ssa.Global]int{}
	other := map[*ssa.Global]bool{}   // used other than stored to or loaded
	badField := map[*types.Var]bool{} // a function field set to something else, or addressed
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
				case *ssa.FieldAddr:
					r.funcField(pkg, in, badField)
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
	for f := range badField {
		delete(r.fieldFuncs, f)
	}
	return r
}

// funcField records what fa, the address of a struct field, stores when
// the field is an unexported function field of the package: a function of
// the package or a literal. Any other store, or a use of the address
// other than a store to it or a load, makes the field bad.
func (r *resolver) funcField(pkg *ssa.Package, fa *ssa.FieldAddr, bad map[*types.Var]bool) {
	f := StructField(fa.X.Type(), fa.Field, true)
	if f == nil || f.Pkg() != pkg.Pkg || f.Exported() {
		return
	}
	f = f.Origin()
	if _, ok := f.Type().Underlying().(*types.Signature); !ok || bad[f] {
		return
	}
	for _, ref := range *fa.Referrers() {
		switch ref := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if ref.Op != token.MUL {
				bad[f] = true
			}
		case *ssa.Store:
			if ref.Addr != fa {
				bad[f] = true
				continue
			}
			var fn *ssa.Function
			switch v := ref.Val.(type) {
			case *ssa.Function:
				fn = v
			case *ssa.MakeClosure:
				fn = v.Fn.(*ssa.Function)
			case *ssa.Const:
				if v.IsNil() {
					continue // f = nil: a call of it panics, it runs nothing
				}
			}
			if fn == nil || fn.Pkg != pkg {
				bad[f] = true
			} else if !slices.Contains(r.fieldFuncs[f], fn) {
				r.fieldFuncs[f] = append(r.fieldFuncs[f], fn)
			}
		default:
			bad[f] = true
		}
	}
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

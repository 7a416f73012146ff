package chanuse

import (
	"go/types"
	"strings"
)

// Sealed answers whether another package can reach a struct field of this
// package by name: an exported field of a type that no exported name of
// the package exposes (through a signature, a variable, an exported field,
// an embedded field or an exported method) is as private as an unexported
// one, and so is any field in package main or an external test package.
type Sealed struct {
	pkg    *types.Package
	open   map[types.Type]bool
	owners map[*types.Var]*types.TypeName
	closed bool // package main or an external test package: nothing imports it
}

// NewSealed walks pkg's exported API once.
func NewSealed(pkg *types.Package) *Sealed {
	s := &Sealed{pkg: pkg, open: map[types.Type]bool{}, owners: map[*types.Var]*types.TypeName{}}
	closedPkg := pkg.Name() == "main" || strings.HasSuffix(pkg.Path(), "_test")
	s.closed = closedPkg
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if tn, ok := obj.(*types.TypeName); ok {
			if st, ok := tn.Type().Underlying().(*types.Struct); ok {
				for i := 0; i < st.NumFields(); i++ {
					s.owners[st.Field(i)] = tn
				}
			}
		}
		if closedPkg || !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.TypeName:
			s.reach(obj.Type())
		case *types.Func, *types.Var, *types.Const:
			s.reach(obj.Type())
		}
	}
	return s
}

// Owner returns the package-level named type whose struct declares v.
func (s *Sealed) Owner(v *types.Var) *types.TypeName { return s.owners[v] }

// Private reports whether only this package can name field v: it is
// unexported, or its owner type is a package-level type other packages
// cannot reach.
func (s *Sealed) Private(v *types.Var) bool {
	if v.Pkg() != s.pkg {
		return false
	}
	if !v.Exported() {
		return true
	}
	tn := s.owners[v]
	return tn != nil && !s.open[tn.Type()]
}

// Open reports whether other packages can reach values of type t, or
// of the type t points to, through the package's exported API.
func (s *Sealed) Open(t types.Type) bool {
	if s.open[t] {
		return true
	}
	// Reaching *T reaches T too (reach follows the element).
	if p, ok := t.(*types.Pointer); ok {
		return s.open[p.Elem()]
	}
	return false
}

// Closed reports whether no other package can import this one (package
// main, an external test package).
func (s *Sealed) Closed() bool { return s.closed }

// reach marks t and everything an importer can get to through it.
func (s *Sealed) reach(t types.Type) {
	if t == nil || s.open[t] {
		return
	}
	s.open[t] = true
	switch t := t.(type) {
	case *types.Named:
		if t.Obj().Pkg() != s.pkg {
			return // another package's type: its fields are not ours
		}
		for i := 0; i < t.NumMethods(); i++ {
			if m := t.Method(i); m.Exported() {
				s.reach(m.Type())
			}
		}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				s.reach(args.At(i))
			}
		}
		s.reach(t.Underlying())
	case *types.Alias:
		s.reach(types.Unalias(t))
	case *types.Pointer:
		s.reach(t.Elem())
		s.reachMethods(t)
	case *types.Slice:
		s.reach(t.Elem())
	case *types.Array:
		s.reach(t.Elem())
	case *types.Map:
		s.reach(t.Key())
		s.reach(t.Elem())
	case *types.Chan:
		s.reach(t.Elem())
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			s.reach(t.Params().At(i).Type())
		}
		for i := 0; i < t.Results().Len(); i++ {
			s.reach(t.Results().At(i).Type())
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if f := t.Field(i); f.Exported() || f.Embedded() {
				s.reach(f.Type())
			}
		}
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			if m := t.Method(i); m.Exported() {
				s.reach(m.Type())
			}
		}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			s.reach(t.EmbeddedType(i))
		}
	case *types.TypeParam:
		s.reach(t.Constraint())
	case *types.Union:
		for i := 0; i < t.Len(); i++ {
			s.reach(t.Term(i).Type())
		}
	case *types.Tuple:
		for i := 0; i < t.Len(); i++ {
			s.reach(t.At(i).Type())
		}
	}
}

// reachMethods marks the exported methods of *T's method set (pointer
// receivers) as reachable.
func (s *Sealed) reachMethods(p *types.Pointer) {
	n, ok := p.Elem().(*types.Named)
	if !ok || n.Obj().Pkg() != s.pkg {
		return
	}
	ms := types.NewMethodSet(p)
	for i := 0; i < ms.Len(); i++ {
		if f := ms.At(i).Obj(); f.Exported() {
			s.reach(f.Type())
		}
	}
}

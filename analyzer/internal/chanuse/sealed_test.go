package chanuse_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const sealedSrc = `package p

type hidden struct{ C chan int }       // reachable from nowhere
type returned struct{ C chan int }     // an exported function returns it
type embedded struct{ C chan int }     // promoted through Outer
type viaField struct{ C chan int }     // an exported field's type
type viaMethod struct{ C chan int }    // an exported method's result

type Outer struct {
	embedded
	F *viaField
	g *hidden
}

func (o *Outer) M() []viaMethod { return nil }

func New() *returned { return nil }

type Public struct{ c chan int }
`

// An exported field is private exactly when no exported name leads to
// its struct type: through a result, an embedding, an exported field or
// an exported method; an unexported field always is.
func TestSealed(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", sealedSrc, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := chanuse.NewSealed(pkg)
	field := func(typ, name string) *types.Var {
		st := pkg.Scope().Lookup(typ).Type().Underlying().(*types.Struct)
		for i := 0; i < st.NumFields(); i++ {
			if st.Field(i).Name() == name {
				return st.Field(i)
			}
		}
		t.Fatalf("no field %s.%s", typ, name)
		return nil
	}
	for _, c := range []struct {
		typ, field string
		private    bool
	}{
		{"hidden", "C", true},
		{"returned", "C", false},
		{"embedded", "C", false},
		{"viaField", "C", false},
		{"viaMethod", "C", false},
		{"Public", "c", true},
	} {
		v := field(c.typ, c.field)
		if got := s.Private(v); got != c.private {
			t.Errorf("%s.%s: Private = %v, want %v", c.typ, c.field, got, c.private)
		}
		if s.Owner(v) == nil || s.Owner(v).Name() != c.typ {
			t.Errorf("%s.%s: Owner = %v", c.typ, c.field, s.Owner(v))
		}
	}
}

const nilSrc = `package p

func cond() bool

func unguarded(c bool) int {
	var ch chan int
	if c {
		ch = make(chan int, 1)
		ch <- 1
	}
	return <-ch
}

func decided(c bool) int {
	var ch chan int
	if c {
		ch = make(chan int, 1)
		ch <- 1
	}
	if c {
		return <-ch
	}
	return 0
}

func tested(c bool) int {
	var ch chan int
	if c {
		ch = make(chan int, 1)
		ch <- 1
	}
	if ch == nil {
		return 0
	}
	return <-ch
}
`

// The receive after a conditional make is nil on the other path, unless
// the same condition or a nil test guards it.
func TestMaybeNil(t *testing.T) {
	pkg := build(t, nilSrc)
	for name, want := range map[string]bool{"unguarded": true, "decided": false, "tested": false} {
		var got bool
		for _, b := range pkg.Func(name).Blocks {
			for _, instr := range b.Instrs {
				if u, ok := instr.(*ssa.UnOp); ok && u.Op == token.ARROW {
					got = got || chanuse.MaybeNil(u.X, u) != nil
				}
			}
		}
		if got != want {
			t.Errorf("%s: a nil path = %v, want %v", name, got, want)
		}
	}
}

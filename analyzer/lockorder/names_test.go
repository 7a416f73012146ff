package lockorder

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// buildProgram returns the functions of a one-package program of its own.
func buildProgram(t *testing.T) []*ssa.Function {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", "package p\nfunc A() {}\nfunc B() { A() }\ntype T struct{}\nfunc (*T) M() {}\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.Default()}, fset, types.NewPackage("p", "p"), []*ast.File{f}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fns []*ssa.Function
	for fn := range ssautil.AllFunctions(pkg.Prog) {
		if fn.Pkg == pkg && fn.Synthetic == "" {
			fns = append(fns, fn)
		}
	}
	if len(fns) < 3 {
		t.Fatalf("got %d functions, want A, B and (*T).M at least", len(fns))
	}
	return fns
}

// TestNameCacheInterleaved: a driver that analyzes several packages at
// once asks about their programs in turn; each name is built once, and the
// oldest program is dropped when more than keep are asked about.
func TestNameCacheInterleaved(t *testing.T) {
	c := nameCache{keep: 2}
	p1, p2, p3 := buildProgram(t), buildProgram(t), buildProgram(t)
	for round := 0; round < 3; round++ {
		for _, fns := range [][]*ssa.Function{p1, p2} {
			for _, fn := range fns {
				if got, want := c.of(fn), fullName(fn); got != want {
					t.Fatalf("of(%v) = %q, want %q", fn, got, want)
				}
			}
		}
	}
	if want := len(p1) + len(p2); c.built != want {
		t.Errorf("two programs asked about in turn: built %d names, want %d (each once)", c.built, want)
	}
	for _, fn := range p3 {
		c.of(fn)
	}
	if len(c.progs) != 2 || c.progs[0].prog != p3[0].Prog || c.progs[1].prog != p2[0].Prog {
		t.Errorf("after a third program, kept %d programs; want p3 then p2 (p1, the least recently used, dropped)", len(c.progs))
	}
	before := c.built
	c.of(p1[0])
	if c.built != before+1 {
		t.Errorf("a dropped program's name was not built again")
	}
}

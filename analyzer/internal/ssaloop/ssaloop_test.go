package ssaloop_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const src = `package p

func f(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += g(i) // in the loop
	}
	return g(s) // after it
}

func g(x int) int { return x }
`

// TestInLoop checks that a call in a loop's body is in a loop and the call
// after the loop is not.
func TestInLoop(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{}, fset, types.NewPackage("p", ""), []*ast.File{f}, ssa.SanityCheckFunctions)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{} // g's argument's line -> in a loop
	for _, b := range pkg.Func("f").Blocks {
		for _, ins := range b.Instrs {
			if c, ok := ins.(*ssa.Call); ok {
				got[fset.Position(c.Pos()).Line] = ssaloop.InLoop(b)
			}
		}
	}
	if want := map[int]bool{6: true, 8: false}; len(got) != 2 || got[6] != want[6] || got[8] != want[8] {
		t.Errorf("InLoop by line = %v, want %v", got, want)
	}
}

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

// build parses and builds src.
func build(t *testing.T) (*token.FileSet, *ssa.Package) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{}, fset, types.NewPackage("p", ""), []*ast.File{f}, ssa.SanityCheckFunctions)
	if err != nil {
		t.Fatal(err)
	}
	return fset, pkg
}

// TestInLoop checks that a call in a loop's body is in a loop and the call
// after the loop is not.
func TestInLoop(t *testing.T) {
	fset, pkg := build(t)
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

// TestBlocks checks that the loop around the call in the body holds the
// loop's test (i < n) and not the entry or the block after the loop, and
// that the block after the loop is a loop of its own alone, with no test.
func TestBlocks(t *testing.T) {
	fset, pkg := build(t)
	fn := pkg.Func("f")
	var body, after *ssa.BasicBlock
	for _, b := range fn.Blocks {
		for _, ins := range b.Instrs {
			if c, ok := ins.(*ssa.Call); ok {
				if fset.Position(c.Pos()).Line == 6 {
					body = b
				} else {
					after = b
				}
			}
		}
	}
	loop := ssaloop.Blocks(body)
	if !loop[body] || loop[fn.Blocks[0]] || loop[after] {
		t.Errorf("Blocks(body) = %v: want the body, not the entry or the block after", loop)
	}
	tests := ssaloop.Tests(body)
	if len(tests) != 1 {
		t.Fatalf("Tests(body) = %v, want the one test i < n", tests)
	}
	if c, ok := tests[0].Cond.(*ssa.BinOp); !ok || c.Op != token.LSS {
		t.Errorf("Tests(body)[0] = %v, want i < n", tests[0].Cond)
	}
	if got := ssaloop.Blocks(after); len(got) != 1 || !got[after] {
		t.Errorf("Blocks(after) = %v, want the block alone", got)
	}
	if got := ssaloop.Tests(after); len(got) != 0 {
		t.Errorf("Tests(after) = %v, want none", got)
	}
}

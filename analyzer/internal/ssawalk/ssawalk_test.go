package ssawalk_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const src = `package p

func f(n int) int {
	s := g(0) // start
	for i := 0; i < n; i++ {
		if i == 3 {
			g(3) // cut here
			continue
		}
		s += g(i) // in the loop
	}
	g(9) // after the loop
	return s
}

func g(x int) int { return x }
`

// build returns f's SSA function and the calls of g in it, by line.
func build(t *testing.T) (*token.FileSet, map[int]ssa.Instruction) {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{}, fset, types.NewPackage("p", ""), []*ast.File{file}, ssa.SanityCheckFunctions)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[int]ssa.Instruction{}
	for _, b := range pkg.Func("f").Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok {
				calls[fset.Position(c.Pos()).Line] = in
			}
		}
	}
	return fset, calls
}

// lines walks from the call on line from and returns the lines of the
// calls visited, in order, cutting or stopping at the call on line at.
func lines(t *testing.T, from, at int, act ssawalk.Action) []int {
	fset, calls := build(t)
	var got []int
	ssawalk.Forward(calls[from], func(in ssa.Instruction) ssawalk.Action {
		if _, ok := in.(*ssa.Call); !ok {
			return ssawalk.Continue
		}
		line := fset.Position(in.Pos()).Line
		got = append(got, line)
		if line == at {
			return act
		}
		return ssawalk.Continue
	})
	return got
}

func TestForward(t *testing.T) {
	// Every call after the start, each once; the start itself is not
	// visited (no loop leads back to its block).
	got := lines(t, 4, 0, ssawalk.Continue)
	slices.Sort(got)
	if want := []int{7, 10, 12}; !slices.Equal(got, want) {
		t.Errorf("from line 4: visited %v, want %v", got, want)
	}
	// Stop ends the walk at once: the calls after it are not visited.
	if got := lines(t, 4, 7, ssawalk.Stop); len(got) == 0 || got[len(got)-1] != 7 {
		t.Errorf("Stop at line 7: visited %v, want it last", got)
	}
	// Cut ends only that path: the loop's other paths still reach line 12.
	got = lines(t, 4, 7, ssawalk.Cut)
	if !slices.Contains(got, 12) || !slices.Contains(got, 10) {
		t.Errorf("Cut at line 7: visited %v, want 10 and 12 too", got)
	}
	// From inside the loop, the walk comes back round to the call's own
	// block and visits it whole.
	got = lines(t, 10, 0, ssawalk.Continue)
	if !slices.Contains(got, 10) || !slices.Contains(got, 12) {
		t.Errorf("from line 10: visited %v, want 10 again and 12", got)
	}
}

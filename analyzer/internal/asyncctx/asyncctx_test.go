package asyncctx_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/asyncctx"
)

// fakes are the stand-ins of the runtime the analyzers' tests share.
const fakes = "../../blocking/testdata/src"

// check type-checks src (package p) against the runtime stand-ins.
func check(t *testing.T, src string) (*token.FileSet, *ast.File, *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	std := importer.ForCompiler(fset, "source", nil)
	pkgs := map[string]*types.Package{}
	var imp types.ImporterFrom
	var load func(path string) (*types.Package, error)
	load = func(path string) (*types.Package, error) {
		if p, ok := pkgs[path]; ok {
			return p, nil
		}
		if !strings.HasPrefix(path, "github.com/") {
			return std.Import(path)
		}
		dir := filepath.Join(fakes, filepath.FromSlash(path))
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		var files []*ast.File
		for _, e := range ents {
			f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		p, err := (&types.Config{Importer: imp}).Check(path, fset, files, nil)
		pkgs[path] = p
		return p, err
	}
	imp = importerFunc(load)
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Defs:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Implicits:  map[ast.Node]types.Object{},
	}
	if _, err := (&types.Config{Importer: imp}).Check("p", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	return fset, f, info
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
func (f importerFunc) ImportFrom(path, _ string, _ types.ImportMode) (*types.Package, error) {
	return f(path)
}

func TestIsSuspension(t *testing.T) {
	src := `package p

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

func f(t *aio.Task, co *coro.Co[int, int], l *aio.Lock, q *aio.Queue[int], c *aio.Coroutine[int], lp *aio.Loop) {
	aio.Sleep(t, 0)       // yes
	aio.Await(t, c)       // yes
	aio.Gather(t, c)      // yes
	l.Acquire(t)          // yes
	q.Get(t)              // yes
	co.Yield(1)           // yes
	co.YieldErr(1)        // yes
	aio.CreateTask(t, c)  // no
	t.Name()              // no
	l.Release()           // no
	lp.CallSoon(func() {}) // no
	time.Sleep(0)         // no
}
`
	fset, f, info := check(t, src)
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		line := fset.Position(call.Pos()).Line
		var want bool
		for _, cg := range f.Comments {
			if fset.Position(cg.Pos()).Line == line {
				want = strings.Contains(cg.Text(), "yes")
			}
		}
		if got := asyncctx.IsSuspension(info, call); got != want {
			t.Errorf("line %d: IsSuspension(%s) = %v, want %v", line, types.ExprString(call), got, want)
		}
		return false
	})
}

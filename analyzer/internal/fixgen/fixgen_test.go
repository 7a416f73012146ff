package fixgen_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/fixgen"
)

const src = `package p

import (
	"net/url"
	tm "time"
	_ "unsafe"
)

type point struct{ x, y int }
type pair [2]int
type num int

func f0() error                                     { return nil }
func f1() (int, string, bool, error)                { return 0, "", false, nil }
func f2() (*int, []int, map[int]int, chan int, func(), any, error) { return nil, nil, nil, nil, nil, nil, nil }
func f3() (point, pair, num, error)                 { return point{}, pair{}, 0, nil }
func f4() (url.URL, tm.Duration, tm.Time, error)    { return url.URL{}, 0, tm.Time{}, nil }
func f5[T any]() (T, error)                         { var v T; return v, nil }
func f6() (struct{ a int }, error)                  { return struct{ a int }{}, nil }
func f7() int                                       { return 0 }
`

func TestErrReturn(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{}}
	pkg, err := (&types.Config{Importer: importer.ForCompiler(fset, "source", nil)}).Check("p", fset, []*ast.File{f}, info)
	if err != nil {
		t.Fatal(err)
	}
	q := fixgen.NewQualifier(info, pkg, f)
	for name, want := range map[string]string{
		"f0": "return err",
		"f1": `return 0, "", false, err`,
		"f2": "return nil, nil, nil, nil, nil, nil, err",
		"f3": "return point{}, pair{}, 0, err",
		"f4": "return url.URL{}, 0, tm.Time{}, err",
		"f5": "return *new(T), err",
		"f6": "return *new(struct{a int}), err",
		"f7": "",
	} {
		sig := pkg.Scope().Lookup(name).Type().(*types.Signature)
		got, ok := q.ErrReturn(sig)
		if got != want || ok != (want != "") {
			t.Errorf("%s: ErrReturn = %q, %v; want %q", name, got, ok, want)
		}
	}
	if n := fixgen.ImportName(info, f, "time"); n != "tm" {
		t.Errorf("ImportName(time) = %q, want tm", n)
	}
	if n := fixgen.ImportName(info, f, "unsafe"); n != "" {
		t.Errorf("ImportName(unsafe) = %q, want \"\" (blank import)", n)
	}
	if _, ok := q.TypeString(types.NewPointer(types.NewNamed(types.NewTypeName(token.NoPos, types.NewPackage("os", "os"), "File", nil), types.NewStruct(nil, nil), nil))); ok {
		t.Error("TypeString of a type from a package the file does not import: want false")
	}
}

package rewrite_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// TestLineMappingLayout: in a source that is not gofmt-clean, with text
// before its build constraint, a package doc comment and imports the
// machines add to, the package clause and every declaration of the
// generated file still map to their lines in the source.
func TestLineMappingLayout(t *testing.T) {
	src := `// Copyright 2025 the asyncgo authors.

//go:build go1.21

// Package p is laid out by hand.
package p

import (
	"strings"
	"github.com/asyncgo/asyncgo/runtime/coro"
)



var   x  =  1     // not gofmt-clean



// G ranges over a string: the machine imports unicode/utf8.
//
//asyncgo:generator
func G() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		// each rune
		for _, r := range "héllo" {
			co.Yield(int(r))
		}
		return 0
	})
}
var y = strings.ToUpper("a")


func H() int { return x }
type T struct{}

//asyncgo:generator
func K() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		return co.Yield(1)
	})
}
func L() {}
`
	dir := tempPackage(t, map[string]string{"p.go": src})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := files[1].New
	fset := token.NewFileSet()
	sf, err := parser.ParseFile(fset, "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{"package": fset.Position(sf.Package).Line}
	name := func(d ast.Decl) string {
		switch d := d.(type) {
		case *ast.FuncDecl:
			return d.Name.Name
		case *ast.GenDecl:
			switch s := d.Specs[0].(type) {
			case *ast.ValueSpec:
				return s.Names[0].Name
			case *ast.TypeSpec:
				return s.Name.Name
			case *ast.ImportSpec:
				if s.Name != nil {
					return "added import"
				}
				return "import"
			}
		}
		return "?"
	}
	for _, d := range sf.Decls {
		lines[name(d)] = fset.Position(d.Pos()).Line
	}
	gset := token.NewFileSet()
	gf, err := parser.ParseFile(gset, "p_asyncgo.go", out, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, p token.Pos) {
		if want, ok := lines[what]; ok {
			if got := gset.Position(p); got.Line != want || got.Filename != "p.go" {
				t.Errorf("%s: mapped to %s, want p.go:%d", what, got, want)
			}
			delete(lines, what)
		}
	}
	check("package", gf.Package)
	for _, d := range gf.Decls {
		check(name(d), d.Pos())
	}
	for what := range lines {
		t.Errorf("%s: not in the generated file", what)
	}
	if !strings.Contains(string(out), "// Package p is laid out by hand.\npackage p") {
		t.Errorf("package doc comment not kept whole:\n%s", out)
	}
	if t.Failed() {
		t.Logf("generated:\n%s", out)
	}
}

package rewriteaio

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// TestGeneratedUpToDate fails when tasks_asyncgo.go is not what asyncgo
// rewrite makes of tasks.go today: the benchmarks would measure stale
// code. `go generate` rewrites it.
func TestGeneratedUpToDate(t *testing.T) {
	files, err := rewrite.Package(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("asyncgo rewrite found nothing to lower in tasks.go")
	}
	for _, f := range files {
		if f.Changed() {
			t.Errorf("%s is stale (remove=%v): run `go generate ./bench/rewriteaio`", f.Path, f.Remove)
		}
	}
}

// TestDirectCopies checks that each DirectX of direct.go has the body of
// the annotated X of tasks.go, the calls of other annotated functions
// renamed: the direct benchmarks run the same source.
func TestDirectCopies(t *testing.T) {
	lowered := funcBodies(t, "tasks.go")
	direct := funcBodies(t, "direct.go")
	if len(lowered) == 0 {
		t.Fatal("no functions in tasks.go")
	}
	for name, body := range lowered {
		want := body
		for other := range lowered {
			want = strings.ReplaceAll(want, other+"(", "Direct"+other+"(")
		}
		got, ok := direct["Direct"+name]
		if !ok {
			t.Errorf("direct.go has no Direct%s", name)
			continue
		}
		if got != want {
			t.Errorf("Direct%s's body differs from %s's:\n%s\nwant\n%s", name, name, got, want)
		}
	}
	if len(direct) != len(lowered) {
		t.Errorf("direct.go has %d functions, tasks.go %d", len(direct), len(lowered))
	}
}

// funcBodies prints the body of each function declared in file.
func funcBodies(t *testing.T, file string) map[string]string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			var b bytes.Buffer
			if err := printer.Fprint(&b, fset, fd.Body); err != nil {
				t.Fatal(err)
			}
			bodies[fd.Name.Name] = b.String()
		}
	}
	return bodies
}

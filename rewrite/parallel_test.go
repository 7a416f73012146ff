package rewrite_test

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/rewrite"
)

var parallelDir = filepath.Join("..", "testdata", "rewrite", "parallelcorpus")

// lowerParallel rewrites the parallel corpus and returns its files.
func lowerParallel(t *testing.T) []rewrite.File {
	t.Helper()
	files, err := rewrite.Package(parallelDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("nothing lowered")
	}
	return files
}

// TestParallelGolden compares the generated files of the parallel corpus
// with testdata/rewrite/parallelgolden (-update writes them), and checks
// that they are gofmt-clean.
func TestParallelGolden(t *testing.T) {
	gdir := filepath.Join("..", "testdata", "rewrite", "parallelgolden")
	n := 0
	for _, f := range lowerParallel(t) {
		if !rewrite.IsGenerated(f.Path) {
			continue
		}
		n++
		if got, err := format.Source(f.New); err != nil || !bytes.Equal(got, f.New) {
			t.Errorf("%s: generated file is not gofmt-clean (%v)", f.Path, err)
		}
		golden := filepath.Join(gdir, filepath.Base(f.Path)+".golden")
		if *update {
			if err := os.MkdirAll(gdir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.New, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./rewrite -run TestParallelGolden -update)", err)
		}
		if !bytes.Equal(f.New, want) {
			t.Errorf("%s differs from %s (run with -update after checking the change):\n%s", f.Path, golden, firstDiff(want, f.New))
		}
	}
	if n != 2 {
		t.Errorf("%d files generated, want 2 (loops.go, funcs.go)", n)
	}
}

// TestParallelDifferential vets the lowered corpus, runs it from its
// sources (sequential loops) and lowered (under the race detector), and
// compares the traces.
func TestParallelDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the corpus twice")
	}
	ov := overlay(t, lowerParallel(t))
	pkg := "./testdata/rewrite/parallelcorpus"
	vet := testbound.Command(t, "go", "vet", "-overlay", ov, pkg)
	vet.Dir = moduleRoot(t)
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet on the lowered corpus: %v\n%s", err, out)
	}
	direct := goRun(t, "-tags", rewrite.DirectTag, pkg)
	lowered := goRun(t, "-race", "-overlay", ov, pkg)
	d, l := splitTraces(direct), splitTraces(lowered)
	if len(d) < 10 || len(d) != len(l) {
		t.Fatalf("%d programs direct, %d lowered:\n%s", len(d), len(l), lowered)
	}
	for name, want := range d {
		if got := l[name]; got != want {
			t.Errorf("%s: traces differ\n--- direct\n%s--- lowered\n%s", name, want, got)
		}
	}
	t.Logf("%d programs, identical traces", len(d))
}

// TestParallelIdempotent writes the rewrite into a copy of the corpus and
// rewrites again: nothing changes.
func TestParallelIdempotent(t *testing.T) {
	srcs := map[string]string{}
	ents, err := os.ReadDir(parallelDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(parallelDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		srcs[e.Name()] = string(b)
	}
	dir := tempPackage(t, srcs)
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range again {
		if f.Changed() {
			t.Errorf("%s changes when rewritten again:\n%s", f.Path, firstDiff(f.Old, f.New))
		}
	}
}

// TestParallelLineMapping checks the //line directives of the generated
// files: every statement copied from the source maps to the source line
// that starts with the same text.
func TestParallelLineMapping(t *testing.T) {
	checked := 0
	for _, f := range lowerParallel(t) {
		if !rewrite.IsGenerated(f.Path) {
			continue
		}
		srcName := strings.TrimSuffix(f.Path, rewrite.GeneratedSuffix) + ".go"
		src, err := os.ReadFile(srcName)
		if err != nil {
			t.Fatal(err)
		}
		// The source as rewritten gains the build constraint's two lines.
		srcLines := append([]string{"", "//go:build asyncgo_direct", ""}, strings.Split(string(src), "\n")...)
		genLines := strings.Split(string(f.New), "\n")
		fset := token.NewFileSet()
		gf, err := parser.ParseFile(fset, f.Path, f.New, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(gf, func(n ast.Node) bool {
			s, ok := n.(ast.Stmt)
			if !ok {
				return true
			}
			if _, ok := s.(*ast.BlockStmt); ok {
				return true
			}
			raw := fset.PositionFor(s.Pos(), false)
			text := strings.TrimSpace(genLines[raw.Line-1])
			if strings.Contains(text, "_ag") || text == "" {
				return true // generated code: no source line to match
			}
			mapped := fset.Position(s.Pos())
			if filepath.Base(mapped.Filename) != filepath.Base(srcName) || mapped.Line >= len(srcLines) {
				t.Errorf("%s:%d: %q maps to %s", f.Path, raw.Line, text, mapped)
				return true
			}
			if got := strings.TrimSpace(srcLines[mapped.Line]); got != text {
				t.Errorf("%s:%d: %q maps to line %d, which is %q", f.Path, raw.Line, text, mapped.Line, got)
			}
			checked++
			return true
		})
	}
	if checked < 100 {
		t.Errorf("only %d statements checked", checked)
	}
}

const parHeader = "package p\n\nimport (\n\t\"bytes\"\n\t\"context\"\n\n\t\"github.com/asyncgo/asyncgo/runtime/coro\"\n\t\"github.com/asyncgo/asyncgo/runtime/futures\"\n)\n\nvar (\n\t_ = bytes.MinRead\n\t_ = context.Background\n\t_ = coro.New[int, int, int]\n\t_ = futures.Parallel[int]\n)\n\nfunc work(int) int { return 0 }\n\n"

// TestParallelLoopRejected checks that a parallel loop whose iterations
// could race, or that could behave differently from the sequential loop,
// is a positioned error. The cases start on line 20.
func TestParallelLoopRejected(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"work-writes", "func f(xs []int) {\n\ttotal := 0\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv := func() int { total += x; return x }()\n\t\t_ = v\n\t}\n}\n",
			"p.go:24:21: //asyncgo:parallel: the work assigns total, declared outside the loop"},
		{"work-incdec-global", "var n int\n\nfunc f(xs []int) {\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv := func() int { n++; return x }()\n\t\t_ = v\n\t}\n}\n",
			"p.go:25:21: //asyncgo:parallel: the work assigns n, declared outside the loop"},
		{"work-address", "type cfg struct{ n int }\n\nfunc use(*cfg) int { return 0 }\n\nfunc f(xs []int) {\n\tc := cfg{}\n//asyncgo:parallel\n\tfor range xs {\n\t\tv := use(&c)\n\t\t_ = v\n\t}\n}\n",
			"p.go:28:13: //asyncgo:parallel: the work takes the address of c, declared outside the loop"},
		{"work-append", "func f(xs []int) {\n\tprefix := make([]int, 0, 10)\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv := append(prefix, x)\n\t\t_ = v\n\t}\n}\n",
			"p.go:24:15: //asyncgo:parallel: the work changes (with append) prefix, declared outside the loop"},
		{"work-receive", "func f(xs []int, ch chan int) {\n//asyncgo:parallel\n\tfor range xs {\n\t\tv := <-ch\n\t\t_ = v\n\t}\n}\n",
			"p.go:23:10: //asyncgo:parallel: the work receives from ch, declared outside the loop"},
		{"work-pointer-method", "func f(xs []int) {\n\tvar b bytes.Buffer\n//asyncgo:parallel\n\tfor range xs {\n\t\tn, err := b.WriteString(\"x\")\n\t\t_, _ = n, err\n\t}\n}\n",
			"p.go:24:13: //asyncgo:parallel: the work calls the pointer method WriteString on b, declared outside the loop"},
		{"work-method-value", "func f(xs []int) {\n\tvar b bytes.Buffer\n//asyncgo:parallel\n\tfor range xs {\n\t\tw := b.WriteString\n\t\t_ = w\n\t}\n}\n",
			"p.go:24:8: //asyncgo:parallel: the work calls the pointer method WriteString on b, declared outside the loop"},
		{"work-ranges-channel", "func f(xs []int, ch chan int) {\n//asyncgo:parallel\n\tfor range xs {\n\t\tv := func() int {\n\t\t\tfor x := range ch {\n\t\t\t\treturn x\n\t\t\t}\n\t\t\treturn 0\n\t\t}()\n\t\t_ = v\n\t}\n}\n",
			"p.go:24:19: //asyncgo:parallel: the work receives from ch, declared outside the loop"},
		{"work-waits", "func f(xs []int) {\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv, err := futures.Parallel(func(context.Context) (int, error) { return x, nil }).Result(context.Background())\n\t\t_, _ = v, err\n\t}\n}\n",
			"p.go:23:13: //asyncgo:parallel: the work waits on a future (futures.Future.Result)"},
		{"work-handle", "func g(xs []int) *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int {\n//asyncgo:parallel\n\t\tfor _, x := range xs {\n\t\t\tv := co.Yield(x)\n\t\t\t_ = v\n\t\t}\n\t\treturn 0\n\t})\n}\n",
			"p.go:24:9: //asyncgo:parallel: the work uses co, a generator's or task's handle"},
		{"body-writes-work-input", "func f(xs []int) {\n\tscale := 2\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv := x * scale\n\t\tscale = v\n\t}\n}\n",
			"p.go:25:3: //asyncgo:parallel: the loop body assigns scale, which the work reads"},
		{"body-writes-slice", "func f(xs []int) {\n//asyncgo:parallel\n\tfor i, x := range xs {\n\t\tv := work(x)\n\t\tif i+1 < len(xs) {\n\t\t\txs[i+1] = v\n\t\t}\n\t}\n}\n",
			"p.go:25:4: //asyncgo:parallel: the loop body assigns xs, the ranged slice"},
		{"body-deletes-map", "func f(m map[int]int) {\n//asyncgo:parallel\n\tfor k, x := range m {\n\t\tv := work(x)\n\t\tdelete(m, k+v)\n\t}\n}\n",
			"p.go:24:10: //asyncgo:parallel: the loop body changes (with delete) m, the ranged map"},
		{"chan-break", "func f(ch chan int) {\n//asyncgo:parallel\n\tfor x := range ch {\n\t\tv := work(x)\n\t\tif v > 0 {\n\t\t\tbreak\n\t\t}\n\t}\n}\n",
			"p.go:25:4: //asyncgo:parallel: break leaves a parallel loop over a channel early"},
		{"chan-return", "func f(ch chan int) int {\n//asyncgo:parallel\n\tfor x := range ch {\n\t\tv := work(x)\n\t\tswitch {\n\t\tcase v > 0:\n\t\t\tbreak\n\t\tdefault:\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n",
			"p.go:28:4: //asyncgo:parallel: return leaves a parallel loop over a channel early"},
		{"no-work", "func f(xs []int) {\n\tn := 0\n//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tn += work(x)\n\t}\n\t_ = n\n}\n",
			"p.go:24:3: //asyncgo:parallel: the loop body must start with the work"},
		{"assign-vars", "func f(xs []int) {\n\tvar x int\n//asyncgo:parallel\n\tfor _, x = range xs {\n\t\tv := work(x)\n\t\t_ = v\n\t}\n}\n",
			"p.go:23:2: //asyncgo:parallel: the loop must declare its variables"},
		{"three-clause", "func f() {\n//asyncgo:parallel\n\tfor i := 0; i < 3; i++ {\n\t\tv := work(i)\n\t\t_ = v\n\t}\n}\n",
			"p.go:22:2: //asyncgo:parallel: a parallel loop must be a for … range loop"},
		{"string", "func f(s string) {\n//asyncgo:parallel\n\tfor _, r := range s {\n\t\tv := work(int(r))\n\t\t_ = v\n\t}\n}\n",
			"p.go:22:20: //asyncgo:parallel: a parallel loop ranges over a slice, map, integer or channel, not string"},
		{"func-iterator", "func f(seq func(func(int) bool)) {\n//asyncgo:parallel\n\tfor x := range seq {\n\t\tv := work(x)\n\t\t_ = v\n\t}\n}\n",
			"p.go:22:17: //asyncgo:parallel: a parallel loop ranges over a slice, map, integer or channel, not func(func(int) bool)"},
		{"misplaced", "func f() int {\n//asyncgo:parallel\n\tx := 1\n\treturn x\n}\n",
			"p.go:21:1: //asyncgo:parallel must be in the doc comment of a function declaration or on the line right before a for … range statement"},
		{"not-own-line", "func f(xs []int) {\n\tn := 0 //asyncgo:parallel\n\tfor _, x := range xs {\n\t\tv := work(x)\n\t\tn += v\n\t}\n}\n",
			"p.go:21:9: //asyncgo:parallel must be on a line of its own"},
		{"reserved-comment", "func f() {\n\t//_agline:3\n\t//asyncgo:parallel\n\tfor i := range 3 {\n\t\tv := work(i)\n\t\t_ = v\n\t}\n}\n",
			"p.go:21:2: comments starting with //_agline: are reserved"},
		{"in-generator", "//asyncgo:generator\nfunc g(xs []int) *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int {\n//asyncgo:parallel\n\t\tfor _, x := range xs {\n\t\t\tv := work(x)\n\t\t\tco.Yield(v)\n\t\t}\n\t\treturn 0\n\t})\n}\n",
			"p.go:24:3: //asyncgo:parallel: a parallel loop inside the lowered body of g is not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempPackage(t, map[string]string{"p.go": parHeader + c.body})
			wantRejected(t, dir, c.want)
		})
	}
	t.Run("old-go", func(t *testing.T) {
		src := "//go:build go1.21\n\n" + parHeader + "func f() {\n//asyncgo:parallel\n\tfor i := range []int{1} {\n\t\tv := work(i)\n\t\t_ = v\n\t}\n}\n"
		dir := tempPackage(t, map[string]string{"p.go": src})
		wantRejected(t, dir, "p.go:24:2: //asyncgo:parallel: a parallel loop is lowered into a range-over-func loop, which needs Go 1.23; this file is compiled as go1.21")
	})
}

// TestParallelFuncRejected checks the form of a parallel function and
// what it may take and return.
func TestParallelFuncRejected(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"form", "//asyncgo:parallel\nfunc F() *futures.Future[int] {\n\tf := futures.Parallel(func(context.Context) (int, error) { return 1, nil })\n\treturn f\n}\n",
			"p.go:21:1: F: a parallel function's body must be a single `return futures.Parallel(func(ctx context.Context) (R, error) { ... })`"},
		{"method", "type T struct{}\n\n//asyncgo:parallel\nfunc (T) F() *futures.Future[int] {\n\treturn futures.Parallel(func(context.Context) (int, error) { return 1, nil })\n}\n",
			"p.go:23:1: F: //asyncgo:parallel applies to functions, not methods"},
		{"generic", "//asyncgo:parallel\nfunc F[T any](x T) *futures.Future[T] {\n\treturn futures.Parallel(func(context.Context) (T, error) { return x, nil })\n}\n",
			"p.go:21:1: F: //asyncgo:parallel applies to functions without type parameters"},
		{"chan-param", "//asyncgo:parallel\nfunc F(ch chan int) *futures.Future[int] {\n\treturn futures.Parallel(func(context.Context) (int, error) { return <-ch, nil })\n}\n",
			"p.go:21:11: F: the parameter type chan int holds a channel"},
		{"func-result", "//asyncgo:parallel\nfunc F() *futures.Future[func()] {\n\treturn futures.Parallel(func(context.Context) (func(), error) { return nil, nil })\n}\n",
			"p.go:22:49: F: the result type func() holds a function"},
		{"two-annotations", "//asyncgo:parallel\n//asyncgo:generator\nfunc F() *futures.Future[int] {\n\treturn futures.Parallel(func(context.Context) (int, error) { return 1, nil })\n}\n",
			"p.go:21:1: F: //asyncgo:generator and //asyncgo:parallel cannot annotate the same function"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempPackage(t, map[string]string{"p.go": parHeader + c.body})
			wantRejected(t, dir, c.want)
		})
	}
}

// TestParallelFileWithoutImports lowers a loop in a file that imports
// nothing: the generated file imports runtime/futures itself, and builds.
func TestParallelFileWithoutImports(t *testing.T) {
	src := "package p\n\n// Sum adds the squares.\nfunc Sum(xs []int) int {\n\ts := 0\n\t//asyncgo:parallel\n\tfor _, x := range xs {\n\t\tsq := x * x\n\t\ts += sq\n\t}\n\treturn s\n}\n"
	dir := tempPackage(t, map[string]string{"p.go": src})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gen, err := os.ReadFile(filepath.Join(dir, "p_asyncgo.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(gen, []byte(`_agfutures "github.com/asyncgo/asyncgo/runtime/futures"`)) {
		t.Errorf("the generated file does not import runtime/futures:\n%s", gen)
	}
	vet := testbound.Command(t, "go", "vet", ".")
	vet.Dir = dir
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet on the lowered package: %v\n%s\n%s", err, out, gen)
	}
}

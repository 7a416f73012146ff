package rewrite_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// tempPackage writes a package using this repository's runtime in a temp
// module and returns its directory.
func tempPackage(t testing.TB, files map[string]string) string {
	t.Helper()
	root := moduleRoot(t)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module rw.test\n\ngo 1.26.0\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => " + root + "\n"
	files["go.sum"] = string(sum)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const header = "package p\n\nimport \"github.com/asyncgo/asyncgo/runtime/coro\"\n\nvar _ = 0\n\n//asyncgo:generator\nfunc G(ch chan int) *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int {\n"

// TestUnsupported checks that what cannot be lowered is a positioned error.
func TestUnsupported(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"closure", "\t\tf := func() { co.Yield(1) }\n\t\tf()\n\t\treturn 0\n", "p.go:10:17: cannot yield inside a function literal"},
		{"defer", "\t\tdefer func() { co.Yield(1) }()\n\t\treturn 0\n", "p.go:10:18: cannot yield inside a function literal"},
		{"escape", "\t\tkeep(co)\n\t\treturn 0\n", "p.go:10:8: co may only be used to yield"},
		{"two", "\t\treturn co.Yield(1) + co.Yield(2)\n", "p.go:10:3: a statement may hold only one suspension"},
		{"order", "\t\tif (ch == nil || f() > 0) == (co.Yield(1) > 0) {\n\t\t\treturn 1\n\t\t}\n\t\treturn 0\n", "p.go:10:20: this runs before the suspension that follows it only if && or || let it"},
		{"recv-first", "\t\tif (ch == nil || <-ch > 0) == (co.Yield(1) > 0) {\n\t\t\treturn 1\n\t\t}\n\t\treturn 0\n", "p.go:10:20: this runs before the suspension that follows it only if && or || let it"},
		{"localtype", "\t\ttype T int\n\t\tco.Yield(1)\n\t\treturn 0\n", "p.go:10:3: a type declared in a generator body"},
		// The deferred call itself a suspension would suspend while the
		// body unwinds; a go statement's, on another goroutine.
		{"defer-yield", "\t\tfor i := 3; i > 0; i-- {\n\t\t\tdefer co.Yield(i)\n\t\t}\n\t\treturn 0\n", "p.go:11:4: cannot defer a suspension: co.Yield would suspend while the generator body unwinds"},
		{"defer-yield-paren", "\t\tdefer (*co).Yield(1)\n\t\treturn 0\n", "p.go:10:3: cannot defer a suspension: (*co).Yield would suspend"},
		{"defer-yielderr", "\t\tdefer co.YieldErr(1)\n\t\treturn 0\n", "p.go:10:3: cannot defer a suspension: co.YieldErr would suspend"},
		{"defer-yieldfrom", "\t\tdefer coro.YieldFrom(co, G(ch))\n\t\treturn 0\n", "p.go:10:3: cannot defer a suspension: coro.YieldFrom would suspend"},
		{"defer-yieldfromerr", "\t\tdefer coro.YieldFromErr(co, G(ch))\n\t\treturn 0\n", "p.go:10:3: cannot defer a suspension: coro.YieldFromErr would suspend"},
		{"go-yield", "\t\tgo co.Yield(1)\n\t\treturn 0\n", "p.go:10:3: cannot suspend in a go statement: co.Yield would run on another goroutine"},
		{"go-yieldfrom", "\t\tgo coro.YieldFrom(co, G(ch))\n\t\treturn 0\n", "p.go:10:3: cannot suspend in a go statement: coro.YieldFrom would run on another goroutine"},
		{"go-raise", "\t\tgo co.Raise(nil)\n\t\treturn 0\n", "p.go:10:3: cannot raise in a go statement: co.Raise would unwind another goroutine"},
		{"reserved", "\t\t_agx := 1\n\t\treturn _agx\n", "p.go:10:3: identifier _agx: names starting with \"_ag\" are reserved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := header + c.body + "\t})\n}\n\nfunc keep(any) {}\n\nfunc f() int { return 1 }\n"
			dir := tempPackage(t, map[string]string{"p.go": src})
			wantRejected(t, dir, c.want)
		})
	}
}

// TestInternalError checks that a panic of the rewriter while it lowers a
// function is an error positioned at that function, not a crash, and that
// the other functions are still checked.
func TestInternalError(t *testing.T) {
	defer rewrite.SetLowerHook(func(name string) {
		if name == "G" {
			var m map[string]int
			m["boom"]++ // a bug of the rewriter's
		}
	})()
	src := header + "\t\treturn co.Yield(1)\n\t})\n}\n\n//asyncgo:generator\nfunc H() *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int {\n\t\tdefer co.Yield(2)\n\t\treturn 0\n\t})\n}\n"
	dir := tempPackage(t, map[string]string{"p.go": src})
	_, err := rewrite.Package(dir)
	if err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 2 {
		t.Errorf("%d errors, want 2: %v", n, err)
	}
	for _, want := range []string{
		"p.go:8:1: G: internal error: cannot lower this generator (a bug in asyncgo rewrite at ",
		"; please report it): assignment to entry in nil map",
		"p.go:17:3: cannot defer a suspension: co.Yield",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want %q", err, want)
		}
	}
}

func TestBadForm(t *testing.T) {
	src := "package p\n\nimport \"github.com/asyncgo/asyncgo/runtime/coro\"\n\n//asyncgo:generator\nfunc G() *coro.Generator[int, int, int] {\n\tg := coro.New(func(co *coro.Co[int, int]) int { return 0 })\n\treturn g\n}\n\n//asyncgo:generator\nvar X = 1\n"
	dir := tempPackage(t, map[string]string{"p.go": src})
	_, err := rewrite.Package(dir)
	if err == nil || !strings.Contains(err.Error(), "p.go:6:1: G: a generator function's body must be a single") ||
		!strings.Contains(err.Error(), "p.go:11:1: //asyncgo:generator must be in the doc comment of a function declaration") {
		t.Fatalf("got %v", err)
	}
}

// TestIdempotent rewrites the rewritten package again: same bytes, for
// sources with and without a build constraint, text before it, a package
// doc comment, comments in the body and imports the machines add.
func TestIdempotent(t *testing.T) {
	srcs := map[string]string{
		"plain": header + "\t\tx := co.Yield(1)\n\t\treturn x\n\t})\n}\n",
		"doc": "// Copyright 2025.\n\n// Package p has a doc comment.\npackage p\n\nimport \"github.com/asyncgo/asyncgo/runtime/coro\"\n\n" +
			"// G has comments.\n//\n//asyncgo:generator\nfunc G() *coro.Generator[rune, int, int] {\n\treturn coro.New(func(co *coro.Co[rune, int]) int {\n" +
			"\t\tn := 0 // count\n\t\t// each rune\n\t\tfor _, r := range \"hé\" {\n\t\t\t/* yield it */\n\t\t\tn += co.Yield(r)\n\t\t}\n\t\treturn n\n\t})\n} // G\n\n// F follows.\nfunc F() {}\n",
		"constraint": "// Copyright 2025.\n\n//go:build go1.21\n\n// Package p has a constraint.\npackage p\n\nimport (\n\t\"github.com/asyncgo/asyncgo/runtime/coro\"\n)\n\n" +
			"//asyncgo:generator\nfunc G() *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int {\n\t\t// yield once\n\t\treturn co.Yield(1)\n\t})\n}\n",
	}
	for name, src := range srcs {
		t.Run(name, func(t *testing.T) {
			dir := tempPackage(t, map[string]string{"p.go": src})
			first, err := rewrite.Package(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range first {
				if err := os.WriteFile(f.Path, f.New, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			second, err := rewrite.Package(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range second {
				if f.Changed() {
					t.Errorf("%s changed on the second rewrite:\n%s", f.Path, f.New)
				}
			}
			if len(second) != 2 {
				t.Fatalf("%d files", len(second))
			}
		})
	}
}

// TestUnannotated leaves a package without annotations alone, unloaded.
func TestUnannotated(t *testing.T) {
	dir := tempPackage(t, map[string]string{"p.go": "package p\n\nfunc F() {}\n"})
	files, err := rewrite.Package(dir)
	if err != nil || len(files) != 0 {
		t.Fatalf("%v %v", files, err)
	}
}

// TestLineDirectives: a panic in lowered code reports the source line.
func TestLineDirectives(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	src := `package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

//asyncgo:generator
func G() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		var m map[string]int
		m["x"] = 1 // line 16: panics
		return 0
	})
}

func main() {
	g := G()
	g.Next()
	_, err := g.Next()
	var pe *coro.PanicError
	if errors.As(err, &pe) {
		for _, l := range strings.Split(string(pe.Stack), "\n") {
			if strings.Contains(l, "main.go:") {
				fmt.Println(strings.TrimSpace(l))
			}
		}
	}
}
`
	dir := tempPackage(t, map[string]string{"main.go": src})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "-overlay", overlay(t, files), ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The source gains two lines (the build constraint): line 16 is 18.
	if !strings.Contains(string(out), "main.go:18") {
		t.Fatalf("stack does not point at main.go:18:\n%s", out)
	}
}

// TestRecoverOnlyWhenNeeded: a body that cannot panic gets a Resume
// without a deferred recover (Frame.Unwind); one that can (integer
// division) keeps it.
func TestRecoverOnlyWhenNeeded(t *testing.T) {
	for _, c := range []struct {
		body string
		want bool
	}{
		{"\t\tx := co.Yield(1)\n\t\treturn x * 2\n", false},
		{"\t\tx := co.Yield(1)\n\t\treturn 10 / x\n", true},
		{"\t\tx := co.Yield(1)\n\t\treturn len(ch) + x\n", true},
		{"\t\tdefer func() {}()\n\t\treturn co.Yield(1)\n", true},
	} {
		dir := tempPackage(t, map[string]string{"p.go": header + c.body + "\t})\n}\n"})
		files, err := rewrite.Package(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(files[1].New), "defer _agm._agf.Unwind("); got != c.want {
			t.Errorf("%q: recover %v, want %v\n%s", c.body, got, c.want, files[1].New)
		}
	}
}

// wantRejected checks that rewriting the package in dir fails with an error
// containing want.
func wantRejected(t *testing.T, dir, want string) {
	t.Helper()
	files, err := rewrite.Package(dir)
	if err == nil {
		t.Fatalf("no error; generated:\n%s", files[len(files)-1].New)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q, want %q", err, want)
	}
}

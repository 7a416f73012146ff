package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/rewrite"
)

const genSrc = `package p

import "github.com/asyncgo/asyncgo/runtime/coro"

// Count yields 0..n-1.
//
//asyncgo:generator
func Count(n int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for i := range n {
			co.Yield(i)
		}
		return n
	})
}
`

const badSrc = `package p

import "github.com/asyncgo/asyncgo/runtime/coro"

//asyncgo:generator
func Bad() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		f := func() { co.Yield(1) }
		f()
		return 0
	})
}
`

// repoRoot is the repository's root, found before any test changes the
// working directory.
var repoRoot, repoRootErr = filepath.Abs("../..")

// rewriteModule writes a module that uses this repository's runtime and
// makes it the working directory.
func rewriteModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := repoRoot, repoRootErr
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files["go.mod"] = "module rw.test\n\ngo 1.26.0\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => " + root + "\n"
	files["go.sum"] = string(sum)
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	return dir
}

func TestRewriteListDiffWrite(t *testing.T) {
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "q/q.go": "package q\n"})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{list: true}, []string{"."}); err != nil {
		t.Fatalf("-l: %v %s", err, errb.String())
	}
	want := filepath.Join("p", "p.go") + "\n" + filepath.Join("p", "p_asyncgo.go") + "\n"
	if out.String() != want {
		t.Fatalf("-l printed %q, want %q", out.String(), want)
	}
	out.Reset()
	if err := runRewrite(&out, &errb, rewriteOptions{diff: true}, []string{"p"}); err != nil {
		t.Fatal(err)
	}
	if d := out.String(); !strings.Contains(d, "+//go:build asyncgo_direct") || !strings.Contains(d, "+++ p/p_asyncgo.go") {
		t.Fatalf("-d printed:\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "p", "p_asyncgo.go")); err == nil {
		t.Fatal("-d wrote a file")
	}
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(dir, "p", "p_asyncgo.go"))
	if err != nil || !bytes.Contains(gen, []byte("FromMachine")) {
		t.Fatalf("generated: %v\n%s", err, gen)
	}
	// Idempotent: a second run changes nothing.
	out.Reset()
	if err := runRewrite(&out, &errb, rewriteOptions{list: true}, []string{"."}); err != nil || out.Len() != 0 {
		t.Fatalf("second -l: %v %q", err, out.String())
	}
	// Both builds work.
	for _, tags := range []string{"", "-tags=asyncgo_direct"} {
		args := []string{"vet"}
		if tags != "" {
			args = append(args, tags)
		}
		cmd := exec.Command("go", append(args, "./...")...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, b)
		}
	}
}

func TestRewriteErrorWritesNothing(t *testing.T) {
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/bad.go": badSrc})
	var out, errb bytes.Buffer
	err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."})
	if exitCode(err) != 2 {
		t.Fatalf("exit %d, want 2", exitCode(err))
	}
	if !strings.Contains(errb.String(), "bad.go:8:17: cannot yield inside a function literal") {
		t.Fatalf("stderr: %s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "p", "p_asyncgo.go")); err == nil {
		t.Fatal("wrote a file despite the error")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "p", "p.go")); string(b) != genSrc {
		t.Fatal("source changed despite the error")
	}
}

func TestRewriteSymlinkRoot(t *testing.T) {
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc})
	if err := os.Symlink(filepath.Join(dir, "p"), filepath.Join(dir, "link")); err != nil {
		t.Skip(err)
	}
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"link"}); exitCode(err) != 2 {
		t.Fatalf("exit %d for a symlinked root", exitCode(err))
	}
	// A symlinked directory inside a tree is not followed.
	out.Reset()
	if err := runRewrite(&out, &errb, rewriteOptions{list: true}, []string{"."}); err != nil || strings.Contains(out.String(), "link/") {
		t.Fatalf("%v %q", err, out.String())
	}
}

func TestUnifiedDiff(t *testing.T) {
	d := unifiedDiff("f", "f", []byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	want := "--- f\n+++ f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if d != want {
		t.Fatalf("got\n%s\nwant\n%s", d, want)
	}
	if unifiedDiff("f", "f", []byte("x"), []byte("x")) != "" {
		t.Fatal("diff of equal files")
	}
}

// TestRewriteGOROOT rewrites a copy of the standard library's sources with
// -w: nothing is annotated, so no file changes and none is created.
func TestRewriteGOROOT(t *testing.T) {
	if testing.Short() {
		t.Skip("copies GOROOT/src")
	}
	src := filepath.Join(runtime.GOROOT(), "src")
	dst := filepath.Join(t.TempDir(), "src")
	if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
		t.Skipf("cp: %v %s", err, out)
	}
	count := func() (n int) {
		filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	before := count()
	start := time.Now()
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true, list: true}, []string{dst}); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	t.Logf("rewrote GOROOT/src (%d files) in %v", before, time.Since(start))
	if out.Len() != 0 {
		t.Fatalf("changed:\n%s", out.String())
	}
	if after := count(); after != before {
		t.Fatalf("%d files before, %d after", before, after)
	}
	if out, err := exec.Command("diff", "-r", "-q", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("the copy differs: %v\n%s", err, out)
	}
}

// readTree returns the contents of every file under dir (go.sum aside),
// by slash-separated path relative to dir.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "go.sum" {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sameTree fails unless the trees hold the same files with the same bytes.
func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: %s missing", what, p)
		} else if g != w {
			t.Errorf("%s: %s differs:\n%s", what, p, unifiedDiff("want", "got", []byte(w), []byte(g)))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: unexpected file %s", what, p)
		}
	}
}

// rewriteFails runs the rewrite with opts and checks that it fails with
// exit status 2, printing exactly the lines want to stderr and nothing to
// stdout, and that no file under dir changed.
func rewriteFails(t *testing.T, dir string, opts rewriteOptions, want ...string) {
	t.Helper()
	before := readTree(t, dir)
	var out, errb bytes.Buffer
	err := runRewrite(&out, &errb, opts, []string{"."})
	if exitCode(err) != 2 {
		t.Errorf("exit %d, want 2", exitCode(err))
	}
	got := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Errorf("stderr has %d lines, want %d:\n%s", len(got), len(want), errb.String())
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("stderr line %d:\n%s\nwant it to start with\n%s", i+1, got[i], want[i])
		}
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %s", out.String())
	}
	sameTree(t, "after the failed rewrite", readTree(t, dir), before)
}

// TestRewriteKeepsHandWritten: a file named like the generated file but
// not generated by the rewriter is never overwritten, with -w or without,
// and one whose name has no annotated source is never removed.
func TestRewriteKeepsHandWritten(t *testing.T) {
	const hand = "package p\n\n// Util is hand-written.\nfunc Util() int { return 1 }\n"
	// Another tool's generated file is not the rewriter's either.
	const other = "// Code generated by stringer; DO NOT EDIT.\n\npackage p\n\nfunc Other() {}\n"
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/p_asyncgo.go": hand})
	want := "p/p_asyncgo.go:1:1: p_asyncgo.go was not generated by asyncgo rewrite"
	rewriteFails(t, dir, rewriteOptions{write: true}, want)
	rewriteFails(t, dir, rewriteOptions{list: true}, want)

	dir = rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/util_asyncgo.go": hand, "p/x_asyncgo.go": other, "q/q_asyncgo.go": hand})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true, list: true}, []string{"."}); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	if want := "p/p.go\np/p_asyncgo.go\n"; out.String() != filepath.FromSlash(want) {
		t.Errorf("-l -w listed %q, want %q", out.String(), want)
	}
	got := readTree(t, dir)
	if got["p/util_asyncgo.go"] != hand || got["q/q_asyncgo.go"] != hand || got["p/x_asyncgo.go"] != other {
		t.Errorf("a hand-written file changed or went: %v", got)
	}
}

// TestRewriteRemovesStale: once the last annotation of a file is gone, -l
// lists its generated file and the source, -d prints the diff that patch
// -p0 applies, and -w removes the generated file and takes out the
// constraint it added, so the source is again as the user wrote it and the
// default build compiles it. A generated file whose source is gone is
// removed too.
func TestRewriteRemovesStale(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"plain", genSrc},
		{"constraint", "// Copyright.\n\n//go:build linux || !linux\n\n" + genSrc},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := rewriteModule(t, map[string]string{"p/p.go": c.src, "p/other.go": "package p\n\nfunc Other() int { return 1 }\n"})
			var out, errb bytes.Buffer
			if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
				t.Fatalf("%v %s", err, errb.String())
			}
			// The user removes the annotation.
			plain := strings.Replace(c.src, "//asyncgo:generator\n", "", 1)
			rewritten, _ := os.ReadFile(filepath.Join(dir, "p", "p.go"))
			edited := strings.Replace(string(rewritten), "//asyncgo:generator\n", "", 1)
			if err := os.WriteFile(filepath.Join(dir, "p", "p.go"), []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := runRewrite(&out, &errb, rewriteOptions{list: true}, []string{"."}); err != nil {
				t.Fatalf("%v %s", err, errb.String())
			}
			if want := filepath.FromSlash("p/p.go\np/p_asyncgo.go\n"); out.String() != want {
				t.Errorf("-l listed %q, want %q", out.String(), want)
			}
			want := readTree(t, dir)
			want["p/p.go"] = plain
			delete(want, "p/p_asyncgo.go")
			patched := applyDiff(t, dir)
			if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
				t.Fatalf("%v %s", err, errb.String())
			}
			sameTree(t, "after -w", readTree(t, dir), want)
			sameTree(t, "after patch -p0 < -d", patched, want)
			vetBoth(t)
		})
	}
	t.Run("source-gone", func(t *testing.T) {
		dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/other.go": "package p\n"})
		var out, errb bytes.Buffer
		if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
			t.Fatalf("%v %s", err, errb.String())
		}
		if err := os.Remove(filepath.Join(dir, "p", "p.go")); err != nil {
			t.Fatal(err)
		}
		if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
			t.Fatalf("%v %s", err, errb.String())
		}
		sameTree(t, "after -w", readTree(t, dir), map[string]string{"go.mod": readTree(t, dir)["go.mod"], "p/other.go": "package p\n"})
	})
}

// applyDiff applies what -d prints for the module in dir with patch -p0 to
// a copy of it and returns the copy's files.
func applyDiff(t *testing.T, dir string) map[string]string {
	t.Helper()
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("no patch command")
	}
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{diff: true}, []string{"."}); err != nil {
		t.Fatalf("-d: %v %s", err, errb.String())
	}
	cp := t.TempDir()
	for p, body := range readTree(t, dir) {
		q := filepath.Join(cp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(q), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(q, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(patch, "-p0", "--batch", "--silent")
	cmd.Dir = cp
	cmd.Stdin = &out
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p0: %v\n%s\n%s", err, b, out.String())
	}
	return readTree(t, cp)
}

// vetBoth vets the module in the current directory in both builds.
func vetBoth(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{{"vet", "./..."}, {"vet", "-tags=asyncgo_direct", "./..."}} {
		if b, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, b)
		}
	}
}

// TestRewriteDiffPatch: the diff -d prints for a package rewritten for the
// first time (new generated file: @@ -0,0 +1,N @@) applies with patch
// -p0 and gives what -w writes.
func TestRewriteDiffPatch(t *testing.T) {
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/nonl.go": "package p\n\nfunc NoNewline() {}"})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{diff: true}, []string{"."}); err != nil {
		t.Fatal(err)
	}
	n := strings.Count(string(mustRewrite(t, "p")), "\n")
	if want := fmt.Sprintf("--- /dev/null\n+++ %s\n@@ -0,0 +1,%d @@\n", filepath.FromSlash("p/p_asyncgo.go"), n); !strings.Contains(out.String(), want) {
		t.Errorf("-d lacks %q:\n%s", want, out.String())
	}
	patched := applyDiff(t, dir)
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "patch -p0 < -d vs -w", patched, readTree(t, dir))
}

// mustRewrite returns the generated file of the package in dir.
func mustRewrite(t *testing.T, dir string) []byte {
	t.Helper()
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if rewrite.IsGenerated(f.Path) {
			return f.New
		}
	}
	t.Fatal("nothing generated")
	return nil
}

// TestUnifiedDiffEdges: a last line without a newline is marked as diff
// -u marks it, and empty ranges are numbered by the line before them.
func TestUnifiedDiffEdges(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"", "x\n", "@@ -0,0 +1 @@\n+x\n"},
		{"a\nb\n", "", "@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"a\nb", "a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"a\nb\nc\n", "a\nc\n", "@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
	} {
		got := unifiedDiff("x", "y", []byte(c.a), []byte(c.b))
		if want := "--- x\n+++ y\n" + c.want; got != want {
			t.Errorf("diff %q %q:\n%s\nwant\n%s", c.a, c.b, got, want)
		}
	}
}

// TestRewriteSyntaxError: a syntax error is printed once, positioned,
// with nothing after it (no copies from the compiler, no unpositioned
// lines, no type errors), and nothing is written.
func TestRewriteSyntaxError(t *testing.T) {
	src := strings.Replace(genSrc, "co.Yield(i)", "co.Yield(i", 1)
	dir := rewriteModule(t, map[string]string{"p/p.go": src, "p/q.go": "package p\n\nvar X = undefined\n"})
	rewriteFails(t, dir, rewriteOptions{write: true}, filepath.FromSlash("p/p.go:11:14: missing ','"))
	// A type error alone: printed once, positioned.
	if err := os.WriteFile(filepath.Join(dir, "p", "p.go"), []byte(genSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	rewriteFails(t, dir, rewriteOptions{write: true}, filepath.FromSlash("p/q.go:3:9: undefined: undefined"))
}

// TestRewriteBadFlag: the usage for a bad flag goes to stderr, exit 2.
func TestRewriteBadFlag(t *testing.T) {
	app := newApp()
	var out, errb bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errb
	err := app.Run([]string{"asyncgo", "rewrite", "-x", "."})
	if exitCode(err) != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "asyncgo rewrite") || !strings.Contains(errb.String(), "-w") {
		t.Fatalf("exit %d\nstdout: %q\nstderr: %q", exitCode(err), out.String(), errb.String())
	}
}

// TestRewriteTestFile: a generator annotated in a _test.go file is not
// silently left alone: a positioned error says why and what to do.
func TestRewriteTestFile(t *testing.T) {
	test := "package p\n\nimport (\n\t\"testing\"\n\n\t\"github.com/asyncgo/asyncgo/runtime/coro\"\n)\n\n// T is a test generator.\n//\n//asyncgo:generator\nfunc T() *coro.Generator[int, int, int] {\n\treturn coro.New(func(co *coro.Co[int, int]) int { return co.Yield(1) })\n}\n\nfunc TestT(t *testing.T) { T() }\n"
	// A string holding the annotation is not an annotation.
	strTest := "package p\n\nconst s = `\n//asyncgo:generator\n`\n"
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/p_test.go": test, "p/s_test.go": strTest})
	rewriteFails(t, dir, rewriteOptions{write: true}, filepath.FromSlash("p/p_test.go:11:1: //asyncgo:generator is annotated in a _test.go file, which asyncgo rewrite does not lower (its output could not be a test file); move T to a file of the package not ending in _test.go"))
	// Alone in its directory, too.
	dir = rewriteModule(t, map[string]string{"p/p_test.go": test})
	rewriteFails(t, dir, rewriteOptions{list: true}, filepath.FromSlash("p/p_test.go:11:1: //asyncgo:generator is annotated in a _test.go file"))
	dir = rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/s_test.go": strTest})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
}

// TestRewriteCoroImportNames: a renamed import of runtime/coro is lowered
// (both builds vet clean and print the same); a dot import is a positioned
// error saying what the file must do instead.
func TestRewriteCoroImportNames(t *testing.T) {
	renamed := strings.NewReplacer("import \"github.com", "import c \"github.com", "coro.", "c.").Replace(genSrc)
	main := "package main\n\nimport (\n\t\"fmt\"\n\n\t\"rw.test/p\"\n)\n\nfunc main() {\n\tg := p.Count(3)\n\tfor {\n\t\ty, err := g.Next()\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\tfmt.Println(y)\n\t}\n\tfmt.Println(g.Result())\n}\n"
	dir := rewriteModule(t, map[string]string{"p/p.go": renamed, "m/main.go": main})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"."}); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "p", "p_asyncgo.go")); err != nil {
		t.Fatal(err)
	}
	vetBoth(t)
	var runs []string
	for _, tags := range []string{"-tags=", "-tags=asyncgo_direct"} {
		b, err := exec.Command("go", "run", tags, "./m").CombinedOutput()
		if err != nil {
			t.Fatalf("go run %s: %v\n%s", tags, err, b)
		}
		runs = append(runs, string(b))
	}
	if runs[0] != runs[1] || runs[0] != "0\n1\n2\n3 true\n" {
		t.Errorf("lowered printed %q, direct %q", runs[0], runs[1])
	}

	dot := strings.NewReplacer("import \"github.com", "import . \"github.com", "coro.", "").Replace(genSrc)
	dir = rewriteModule(t, map[string]string{"p/p.go": dot})
	rewriteFails(t, dir, rewriteOptions{write: true}, filepath.FromSlash("p/p.go:3:8: github.com/asyncgo/asyncgo/runtime/coro is dot-imported; a file with //asyncgo:generator functions must import it by name"))
}

// TestRewriteTreeAtomic: an error in one package of a tree (or of another
// root) means no file of any package is written.
func TestRewriteTreeAtomic(t *testing.T) {
	dir := rewriteModule(t, map[string]string{"a/a.go": genSrc, "b/bad.go": badSrc, "c/c.go": genSrc})
	rewriteFails(t, dir, rewriteOptions{write: true}, filepath.FromSlash("b/bad.go:8:17: cannot yield inside a function literal"))
	before := readTree(t, dir)
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true}, []string{"a", "b"}); exitCode(err) != 2 {
		t.Fatalf("exit %d", exitCode(err))
	}
	sameTree(t, "two roots, one failing", readTree(t, dir), before)
}

// TestRewriteKeepsOtherBuilds: a source excluded from this build by its
// constraint (a foo_windows.go rewritten on Linux) still holds its
// annotation: its generated file is not stale, and neither is touched.
func TestRewriteKeepsOtherBuilds(t *testing.T) {
	src := "//go:build othertag && asyncgo_direct\n\n" + genSrc
	gen := "// Code generated by asyncgo rewrite from other.go; DO NOT EDIT.\n\n//go:build othertag && !asyncgo_direct\n\npackage p\n"
	dir := rewriteModule(t, map[string]string{"p/p.go": genSrc, "p/other.go": src, "p/other_asyncgo.go": gen})
	var out, errb bytes.Buffer
	if err := runRewrite(&out, &errb, rewriteOptions{write: true, list: true}, []string{"."}); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	if want := filepath.FromSlash("p/p.go\np/p_asyncgo.go\n"); out.String() != want {
		t.Errorf("-l -w listed %q, want %q", out.String(), want)
	}
	got := readTree(t, dir)
	if got["p/other.go"] != src || got["p/other_asyncgo.go"] != gen {
		t.Errorf("the other build's files changed")
	}
}

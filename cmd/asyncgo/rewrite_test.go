package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
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

// rewriteModule writes a module that uses this repository's runtime.
func rewriteModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
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
	d := unifiedDiff("f", []byte("a\nb\nc\n"), []byte("a\nB\nc\n"))
	want := "--- f\n+++ f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if d != want {
		t.Fatalf("got\n%s\nwant\n%s", d, want)
	}
	if unifiedDiff("f", []byte("x"), []byte("x")) != "" {
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

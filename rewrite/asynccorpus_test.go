package rewrite_test

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// The differential corpus of //asyncgo:async functions:
// testdata/rewrite/asynccorpus, run as testdata/rewrite/corpus is (direct
// and lowered through an overlay, traces compared), vetted, and its
// generated files compared with testdata/rewrite/asyncgolden.

const asyncCorpus = "./testdata/rewrite/asynccorpus"

// lowerAsyncCorpus rewrites the async corpus and returns the generated
// files and the overlay of its lowered build, checked to be what the go
// command builds.
func lowerAsyncCorpus(t *testing.T) ([]rewrite.File, string) {
	t.Helper()
	files, err := rewrite.Package(filepath.Join("..", "testdata", "rewrite", "asynccorpus"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("nothing lowered")
	}
	ov := overlay(t, files)
	list := exec.Command("go", "list", "-overlay", ov, "-f", "{{range .GoFiles}}{{.}} {{end}}", asyncCorpus)
	list.Dir = moduleRoot(t)
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	built := map[string]bool{}
	for _, f := range strings.Fields(string(out)) {
		built[f] = true
	}
	for _, f := range files {
		if base := filepath.Base(f.Path); built[base] != rewrite.IsGenerated(base) {
			t.Fatalf("the lowered build's files are %s: %s should be built %v", out, base, rewrite.IsGenerated(base))
		}
	}
	return files, ov
}

// TestAsyncCorpus runs every program of the async corpus from its sources
// and lowered, and compares the traces.
func TestAsyncCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the async corpus twice")
	}
	_, ov := lowerAsyncCorpus(t)
	direct := splitTraces(goRun(t, "-tags", rewrite.DirectTag, asyncCorpus))
	lowered := splitTraces(goRun(t, "-overlay", ov, asyncCorpus))
	if len(direct) < 1 || len(direct) != len(lowered) {
		t.Fatalf("%d programs direct, %d lowered", len(direct), len(lowered))
	}
	for name, want := range direct {
		if strings.Contains(want, "driver panic") {
			t.Errorf("%s: the direct program panicked:\n%s", name, want)
		}
		if got := lowered[name]; got != want {
			t.Errorf("%s: traces differ\n--- direct\n%s--- lowered\n%s", name, want, got)
		}
	}
	t.Logf("%d programs, identical traces", len(direct))
}

// TestAsyncCorpusVet compiles and vets the lowered async corpus; it checks
// the generated files against the golden ones (-update writes them) and
// that they are gofmt-clean.
func TestAsyncCorpusVet(t *testing.T) {
	files, ov := lowerAsyncCorpus(t)
	vet := exec.Command("go", "vet", "-overlay", ov, asyncCorpus)
	vet.Dir = moduleRoot(t)
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet on the lowered async corpus: %v\n%s", err, out)
	}
	gdir := filepath.Join("..", "testdata", "rewrite", "asyncgolden")
	if *update {
		if err := os.MkdirAll(gdir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, f := range files {
		if !rewrite.IsGenerated(f.Path) {
			continue
		}
		n++
		if fm, err := format.Source(f.New); err != nil || !bytes.Equal(fm, f.New) {
			t.Errorf("%s: generated file is not gofmt-clean (%v)", f.Path, err)
		}
		golden := filepath.Join(gdir, filepath.Base(f.Path)+".golden")
		if *update {
			if err := os.WriteFile(golden, f.New, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./rewrite -run TestAsyncCorpusVet -update)", err)
		}
		if !bytes.Equal(f.New, want) {
			t.Errorf("%s: generated file differs from %s (run with -update after checking the change):\n%s", f.Path, golden, firstDiff(want, f.New))
		}
	}
	if ents, err := os.ReadDir(gdir); err == nil && len(ents) != n {
		t.Errorf("%d golden files for %d generated files: remove the stale ones", len(ents), n)
	}
	// Rewriting is deterministic: a second run gives the same bytes.
	again, err := rewrite.Package(filepath.Join("..", "testdata", "rewrite", "asynccorpus"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		if i >= len(again) || !bytes.Equal(files[i].New, again[i].New) {
			t.Fatalf("second rewrite differs at %s", files[i].Path)
		}
	}
}

// TestAsyncCoreMessages checks that the core's positioned errors name the
// async body as such, not as a generator's.
func TestAsyncCoreMessages(t *testing.T) {
	src := asyncHeader + "\t\ttype T struct{ n int }\n\t\tv := T{1}\n\t\taio.Sleep(t, time.Second)\n\t\treturn v.n, nil\n\t})\n}\n"
	dir := tempPackage(t, map[string]string{"p.go": src})
	wantRejected(t, dir, "p.go:12:3: a type declared in an async body must be declared in a block that does not suspend")
}

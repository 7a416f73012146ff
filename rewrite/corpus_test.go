package rewrite_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// moduleRoot is the repository root, where go commands run.
func moduleRoot(t testing.TB) string {
	t.Helper()
	d, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// overlay writes a go build -overlay file that puts files in place of (or
// beside) the sources, without touching the tree. Its paths are absolute:
// the go command resolves relative ones against its own working
// directory, not the test's, and a path that names no file there silently
// replaces nothing (the "lowered" build was then the direct one).
func overlay(t testing.TB, files []rewrite.File) string {
	t.Helper()
	dir := t.TempDir()
	repl := map[string]string{}
	for i, f := range files {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Remove {
			repl[abs] = ""
			continue
		}
		p := filepath.Join(dir, filepath.Base(f.Path)+"."+string(rune('a'+i%26)))
		if err := os.WriteFile(p, f.New, 0o644); err != nil {
			t.Fatal(err)
		}
		repl[abs] = p
	}
	b, err := json.Marshal(map[string]any{"Replace": repl})
	if err != nil {
		t.Fatal(err)
	}
	o := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(o, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return o
}

// goRun runs a package of the module and returns its output.
func goRun(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run"}, args...)...)
	cmd.Dir = moduleRoot(t)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run %v: %v\n%s", args, err, stderr.String())
	}
	return out.String()
}

// splitTraces splits the corpus output into one trace per program.
func splitTraces(s string) map[string]string {
	m := map[string]string{}
	for _, part := range strings.Split(s, "=== ")[1:] {
		name, rest, _ := strings.Cut(part, "\n")
		m[name] = rest
	}
	return m
}

// lowerCorpus rewrites the corpus and returns the overlay of its lowered
// build, checked to be what the go command builds: every generated file
// is among the package's files, no source is.
func lowerCorpus(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "testdata", "rewrite", "corpus")
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("nothing lowered")
	}
	ov := overlay(t, files)
	list := exec.Command("go", "list", "-overlay", ov, "-f", "{{range .GoFiles}}{{.}} {{end}}", "./testdata/rewrite/corpus")
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
	return ov
}

// TestCorpusVet compiles and vets the lowered corpus (vet sees it: it is
// the default build). It runs with -short too.
func TestCorpusVet(t *testing.T) {
	ov := lowerCorpus(t)
	vet := exec.Command("go", "vet", "-overlay", ov, "./testdata/rewrite/corpus")
	vet.Dir = moduleRoot(t)
	if out, err := vet.CombinedOutput(); err != nil {
		t.Errorf("go vet on the lowered corpus: %v\n%s", err, out)
	}
}

// TestCorpus runs every program of testdata/rewrite/corpus from its sources
// and lowered, and compares the traces.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the corpus twice")
	}
	ov := lowerCorpus(t)
	direct := splitTraces(goRun(t, "-tags", rewrite.DirectTag, "./testdata/rewrite/corpus"))
	lowered := splitTraces(goRun(t, "-overlay", ov, "./testdata/rewrite/corpus"))
	if len(direct) < 1 || len(direct) != len(lowered) {
		t.Fatalf("%d programs direct, %d lowered", len(direct), len(lowered))
	}
	for name, want := range direct {
		if got := lowered[name]; got != want {
			t.Errorf("%s: traces differ\n--- direct\n%s--- lowered\n%s", name, want, got)
		}
	}
	t.Logf("%d programs, identical traces", len(direct))
}

package heldout

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// witnessLine is what the census prints for each witness the bounded
// interleaving checker reports (analyzer/chanblock/stuck.go).
const witnessLine = " checker witness"

// censusWitnesses returns the positions of the checker's witnesses in the
// census lines of a go vet run's standard error, as diagnostics of the
// "checker" analyzer; relative file names are taken from dir.
func censusWitnesses(stderr, dir string) []vetrun.Diagnostic {
	var ds []vetrun.Diagnostic
	for line := range strings.Lines(stderr) {
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "CENSUS ")
		if !ok {
			continue
		}
		pos, ok := strings.CutSuffix(rest, witnessLine)
		if !ok {
			continue
		}
		// file:line:col, the file possibly holding colons of its own.
		i := strings.LastIndex(pos, ":")
		if i < 0 {
			continue
		}
		file, ln, ok := cutLine(pos[:i])
		col, err := strconv.Atoi(pos[i+1:])
		if !ok || err != nil {
			continue
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		ds = append(ds, vetrun.Diagnostic{Analyzer: "checker", File: file, Line: ln, Col: col})
	}
	return ds
}

// TestCensusWitnesses checks the reading of census lines.
func TestCensusWitnesses(t *testing.T) {
	out := "CENSUS /c/a/bug/a.go:12:3 checker witness\n" +
		"CENSUS /c/a/bug/a.go:9:7 explored 40 states, found 1\n" +
		"# some/pkg\n" +
		"CENSUS b/fixed/b.go:4:2 checker witness\n" +
		"CENSUS c.go:x:2 checker witness\n"
	got := censusWitnesses(out, "/c")
	want := []string{"/c/a/bug/a.go:12:3", "/c/b/fixed/b.go:4:2"}
	if len(got) != len(want) {
		t.Fatalf("got %d witnesses %v, want %v", len(got), got, want)
	}
	for i, d := range got {
		if s := fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col); s != want[i] {
			t.Errorf("witness %d at %s, want %s", i, s, want[i])
		}
	}
}

// TestEngine measures the bounded interleaving checker alone (chanmodel,
// reported by chanblock) on the development kernels, those with a Seen
// line: a kernel counts when the census records a witness on a marked line
// of its bug version, whatever the pattern rules report; a witness in a
// fixed version fails the test. The held-out rounds are not run, so that
// the measurement can guide work on the checker without exposing them.
// Set ASYNCGO_ENGINE=1 to run it; ASYNCGO_ENGINE_OUT names a file for the
// census lines (the checker's give-ups and explorations, per channel).
func TestEngine(t *testing.T) {
	if os.Getenv("ASYNCGO_ENGINE") != "1" {
		t.Skip("set ASYNCGO_ENGINE=1 to measure the checker on the development kernels")
	}
	all, err := Load(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var dev []Kernel
	var pkgs []string
	for _, k := range all {
		if k.Seen == "" {
			continue
		}
		dev = append(dev, k)
		pkgs = append(pkgs, "./"+k.Shape+"/"+k.Name+"/bug", "./"+k.Shape+"/"+k.Name+"/fixed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	// A tool of its own: go vet caches a package's result per tool and
	// would not print the census lines again.
	tool := filepath.Join(t.TempDir(), "asyncvet")
	build := exec.CommandContext(ctx, "go", "build", "-o", tool,
		"-ldflags", "-X main.censusRun="+strconv.FormatInt(time.Now().UnixNano(), 36), "./cmd/asyncvet")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building asyncvet: %v\n%s", err, out)
	}
	dir, err := filepath.Abs(corpus)
	if err != nil {
		t.Fatal(err)
	}
	vet := exec.CommandContext(ctx, "go", append([]string{"vet", "-vettool=" + tool}, pkgs...)...)
	vet.Dir = dir
	vet.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "ASYNCGO_CENSUS=all")
	var stderr bytes.Buffer
	vet.Stderr = &stderr
	// go vet exits non-zero when the suite reports; only the census matters.
	if err := vet.Run(); err != nil && ctx.Err() != nil {
		t.Fatalf("vetting the development kernels: %v", err)
	}
	if name := os.Getenv("ASYNCGO_ENGINE_OUT"); name != "" {
		if err := os.WriteFile(name, stderr.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	caught := 0
	for _, s := range Scores(dev, censusWitnesses(stderr.String(), dir)) {
		if len(s.Caught) > 0 {
			caught++
			fmt.Fprintf(w, "caught\t%s\n", s.Kernel.ID())
		}
		for _, d := range s.FalsePositives {
			t.Errorf("checker witness on the fixed version of %s: %s", s.Kernel.ID(), format(d))
		}
	}
	fmt.Fprintf(w, "development kernels\t%d\tcaught by the checker alone\t%d\n", len(dev), caught)
	w.Flush()
	t.Log("\n" + b.String())
}

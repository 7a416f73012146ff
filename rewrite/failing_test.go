package rewrite_test

// Programs the rewriter gets wrong today.
//
// Each directory under testdata/rewrite/failing is one program of a
// differential corpus that does not pass yet: its own main package, made
// of a copy of the corpus's trace.go (the same bytes; TestFailing checks)
// and one program file written exactly as it would be in the corpus. A
// generator program copies testdata/rewrite/corpus/trace.go, an async one
// testdata/rewrite/asynccorpus/trace.go. TestFailing runs each one direct
// and lowered, as TestCorpus does, and fails when one of them passes (same
// traces, the lowered build vet-clean), so that a fix cannot go unnoticed.
// To promote a program once it passes:
//
//	git mv testdata/rewrite/failing/NAME/NAME.go testdata/rewrite/corpus/NAME.go
//	git rm -r testdata/rewrite/failing/NAME
//	go test ./rewrite -run TestGolden -update   # adds its golden file
//
// (for an async program: asynccorpus, and -run TestAsyncCorpusVet) and
// delete its entry from failing below. Each entry says in one line what is
// wrong; a new failing program is added the same way, in reverse.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/rewrite"
)

// failing maps each program under testdata/rewrite/failing to what is
// wrong with it today.
var failing = map[string]string{}

// TestFailing: every program under testdata/rewrite/failing is listed in
// failing, is valid Go that runs direct, and still fails lowered.
func TestFailing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds each failing program twice")
	}
	root := filepath.Join("..", "testdata", "rewrite", "failing")
	ents, err := os.ReadDir(root)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var traces [][]byte
	for _, c := range []string{"corpus", "asynccorpus"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "rewrite", c, "trace.go"))
		if err != nil {
			t.Fatal(err)
		}
		traces = append(traces, b)
	}
	seen := map[string]bool{}
	for _, e := range ents {
		name := e.Name()
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			why, ok := failing[name]
			if !ok {
				t.Fatalf("testdata/rewrite/failing/%s is not listed in failing (failing_test.go)", name)
			}
			if b, err := os.ReadFile(filepath.Join(root, name, "trace.go")); err != nil || !bytes.Equal(b, traces[0]) && !bytes.Equal(b, traces[1]) {
				t.Fatalf("its trace.go is not a copy of the corpus's or the async corpus's (%v)", err)
			}
			if _, err := os.Stat(filepath.Join(root, name, name+".go")); err != nil {
				t.Fatalf("no program file: %v", err)
			}
			problem := programProblem(t, filepath.Join("testdata", "rewrite", "failing", name))
			if problem == "" {
				t.Fatalf("passes now (was: %s): promote it into testdata/rewrite/corpus (see the top of failing_test.go)", why)
			}
			t.Logf("still failing (%s): %s", why, firstLines(problem, 6))
		})
	}
	var stale []string
	for name := range failing {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("listed in failing but not under testdata/rewrite/failing: %v", stale)
	}
}

// programProblem runs the corpus-style main package in dir (relative to
// the module root) from its sources and lowered, and says what differs:
// the rewrite's error, the lowered build's vet or compile errors, a failed
// or different lowered run; "" when they agree. The direct run must
// succeed: a program that is not valid Go is a broken test.
func programProblem(t *testing.T, dir string) string {
	t.Helper()
	direct, err := runBounded(t, "run", "-tags", rewrite.DirectTag, "./"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatalf("the program does not run direct: %v\n%s", err, direct)
	}
	files, err := rewrite.Package(filepath.Join("..", dir))
	if err != nil {
		return "rewrite: " + err.Error()
	}
	ov := overlay(t, files)
	if out, err := runBounded(t, "vet", "-overlay", ov, "./"+filepath.ToSlash(dir)); err != nil {
		return "vet on the lowered build: " + out
	}
	lowered, err := runBounded(t, "run", "-overlay", ov, "./"+filepath.ToSlash(dir))
	if err != nil {
		return "lowered run: " + err.Error() + "\n" + lowered
	}
	want, got := splitTraces(direct), splitTraces(lowered)
	var diffs []string
	for name, w := range want {
		if g := got[name]; g != w {
			diffs = append(diffs, name+": traces differ\n--- direct\n"+w+"--- lowered\n"+g)
		}
	}
	if len(want) == 0 || len(want) != len(got) {
		diffs = append(diffs, "the program lists differ")
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "\n")
}

// runBounded runs a go command in the module root for at most two
// minutes and returns its output (stdout only when it succeeds).
func runBounded(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleRoot(t)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return out.String() + stderr.String(), err
	}
	return out.String(), nil
}

// firstLines is the first n lines of s.
func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = append(l[:n], "...")
	}
	return strings.Join(l, "\n")
}

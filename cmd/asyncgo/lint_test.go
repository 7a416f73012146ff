package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"golang.org/x/tools/go/analysis"

	"github.com/asyncgo/asyncgo/analyzer/suite"
	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// The test binary is the vet tool lint runs (it runs the running
// executable): init runs before TestMain whatever the arguments. With
// ASYNCGO_TEST_RENAMER=1 in the environment (which the go command passes
// on to the tool) it serves renamer too.
func init() {
	analyzers := suite.Analyzers()
	if os.Getenv("ASYNCGO_TEST_RENAMER") == "1" {
		analyzers = append(analyzers, renamer)
	}
	vetrun.ServeVettool(analyzers...)
}

const doubleLock = `package p

import "sync"

type T struct {
	mu sync.Mutex
	n  int
}

func (t *T) Inc() {
	t.mu.Lock()
	t.n++
	t.mu.Lock()
	t.mu.Unlock()
}
`

func TestLintReportsWithVetExitCodes(t *testing.T) {
	writeModule(t, map[string]string{"p/p.go": doubleLock, "q/q.go": "package q\n\nfunc F() {}\n"})
	var stdout, stderr bytes.Buffer
	err := lint(&stdout, &stderr, suite.Analyzers(), lintOptions{context: -1}, []string{"./..."})
	if exitCode(err) != 1 {
		t.Fatalf("lint = %v (exit %d), want exit 1\n%s", err, exitCode(err), stderr.String())
	}
	if !strings.Contains(stderr.String(), "p.go:13:11: t.mu is locked again") {
		t.Fatalf("stderr lacks the positioned diagnostic:\n%s", stderr.String())
	}

	stderr.Reset()
	if err := lint(&stdout, &stderr, suite.Analyzers(), lintOptions{context: -1}, []string{"./q"}); err != nil {
		t.Fatalf("lint of a clean package = %v\n%s", err, stderr.String())
	}
}

func TestLintJSON(t *testing.T) {
	writeModule(t, map[string]string{"p/p.go": doubleLock})
	var stdout, stderr bytes.Buffer
	if err := lint(&stdout, &stderr, suite.Analyzers(), lintOptions{json: true}, []string{"./p"}); err != nil {
		t.Fatalf("lint -json = %v, want exit 0\n%s", err, stderr.String())
	}
	// multichecker's shape: package ID -> analyzer -> diagnostics.
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &tree); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), `"lockorder"`) || !strings.Contains(stdout.String(), "locked again") || !strings.Contains(stdout.String(), `"url": "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/lockorder"`) {
		t.Fatalf("JSON lacks the lockorder diagnostic:\n%s", stdout.String())
	}
}

func TestLintLoadErrorIsExit2(t *testing.T) {
	writeModule(t, map[string]string{"p/p.go": "package p\n\nfunc F() { undefined() }\n"})
	var stdout, stderr bytes.Buffer
	err := lint(&stdout, &stderr, suite.Analyzers(), lintOptions{}, []string{"./p"})
	if exitCode(err) != 2 || !strings.Contains(stderr.String(), "p.go:3:12") {
		t.Fatalf("lint of a broken package = %v (exit %d), stderr:\n%s", err, exitCode(err), stderr.String())
	}
}

// renamer suggests renaming every function called old to fresh: a fix to
// test -fix with, independent of the real analyzers' fixes.
var renamer = &analysis.Analyzer{
	Name: "renamer",
	Doc:  "test analyzer: rename old to fresh",
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && id.Name == "old" {
					pass.Report(analysis.Diagnostic{
						Pos: id.Pos(), End: id.End(), Message: "old should be fresh",
						SuggestedFixes: []analysis.SuggestedFix{{
							Message:   "rename",
							TextEdits: []analysis.TextEdit{{Pos: id.Pos(), End: id.End(), NewText: []byte("fresh")}},
						}},
					})
				}
				return true
			})
		}
		return nil, nil
	},
}

func TestLintFixWritesFixedFiles(t *testing.T) {
	t.Setenv("ASYNCGO_TEST_RENAMER", "1")
	writeModule(t, map[string]string{
		"p/p.go":      "package p\n\nfunc old() int { return 1 }\n\nfunc G() int { return old() + old() }\n",
		"p/p_test.go": "package p\n\nimport \"testing\"\n\nfunc TestOld(t *testing.T) { _ = old() }\n",
	})
	var stdout, stderr bytes.Buffer
	err := lint(&stdout, &stderr, []*analysis.Analyzer{renamer}, lintOptions{fix: true, tests: true}, []string{"./p"})
	if err != nil {
		t.Fatalf("lint -fix = %v\n%s", err, stderr.String())
	}
	for name, want := range map[string]string{
		"p/p.go":      "package p\n\nfunc fresh() int { return 1 }\n\nfunc G() int { return fresh() + fresh() }\n",
		"p/p_test.go": "package p\n\nimport \"testing\"\n\nfunc TestOld(t *testing.T) { _ = fresh() }\n",
	} {
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s after -fix:\n%s\nwant:\n%s", name, got, want)
		}
	}
	if !strings.Contains(stderr.String(), "applied fixes for 4 of 4 diagnostics") {
		t.Errorf("stderr: %s", stderr.String())
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir("p")
	if len(entries) != 2 {
		t.Errorf("files in p after -fix: %v", entries)
	}
}

func TestApplyEditsRejectsOverlap(t *testing.T) {
	if _, err := applyEdits([]byte("abcdef"), []edit{{0, 3, "x"}, {2, 4, "y"}}); err == nil {
		t.Fatal("overlapping edits were applied")
	}
	got, err := applyEdits([]byte("abcdef"), []edit{{4, 6, "Z"}, {0, 1, "A"}, {0, 1, "A"}})
	if err != nil || string(got) != "AbcdZ" {
		t.Fatalf("applyEdits = %q, %v", got, err)
	}
}

func TestWriteFileAtomicKeepsMode(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f.go")
	os.WriteFile(name, []byte("old"), 0o640)
	if err := writeFileAtomic(name, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(name)
	got, _ := os.ReadFile(name)
	if string(got) != "new" || info.Mode().Perm() != 0o640 {
		t.Fatalf("content %q mode %v", got, info.Mode())
	}
}

// lint's summary names what every analyzer of the suite reports, and its
// help lists each analyzer; a new analyzer fails this until both do.
func TestLintUsageNamesEveryAnalyzer(t *testing.T) {
	reports := map[string]string{
		"blocking":     "blocking calls in async code",
		"chanblock":    "deadlocks",
		"condwait":     "condition-variable wake-ups that can be missed",
		"deadlock":     "deadlocks",
		"deadlockleak": "deadlocks",
		"holdlock":     "locks held across a suspension",
		"lockorder":    "deadlocks",
		"unawaited":    "coroutines never awaited",
	}
	var lintCmd *cli.Command
	for _, c := range newApp().Commands {
		if c.Name == "lint" {
			lintCmd = c
		}
	}
	if lintCmd == nil {
		t.Fatal("no lint command")
	}
	for _, a := range suite.Analyzers() {
		phrase, ok := reports[a.Name]
		if !ok {
			t.Errorf("analyzer %s: say in lintUsage what it reports, and add it here", a.Name)
			continue
		}
		if !strings.Contains(lintCmd.Usage, phrase) {
			t.Errorf("lint's summary %q does not name %q (analyzer %s)", lintCmd.Usage, phrase, a.Name)
		}
		summary, _, _ := strings.Cut(a.Doc, "\n")
		if !strings.Contains(lintCmd.Description, a.Name+"  ") || !strings.Contains(lintCmd.Description, summary) {
			t.Errorf("lint's help does not list %s (%q):\n%s", a.Name, summary, lintCmd.Description)
		}
	}
}

// The asyncgo binary is its own vet tool: asyncgo lint runs go vet with
// it, and so can a user. Both report the same, with vet's exit codes.
func TestLintBinaryIsItsOwnVettool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds asyncgo and runs go vet")
	}
	bin := asyncgoBinary(t)
	writeModule(t, map[string]string{"p/p.go": doubleLock, "q/q.go": "package q\n\nfunc F() {}\n"})
	dir, _ := os.Getwd()
	_, stderr, code := run(t, dir, "lint", "./...")
	if code != 1 || !strings.Contains(stderr, "p/p.go:13:11: t.mu is locked again") {
		t.Fatalf("asyncgo lint exited %d:\n%s", code, stderr)
	}
	if _, stderr, code := run(t, dir, "lint", "./q"); code != 0 {
		t.Fatalf("asyncgo lint ./q exited %d:\n%s", code, stderr)
	}
	cmd := exec.Command("go", "vet", "-vettool="+bin, "./...")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "p/p.go:13:11: t.mu is locked again") {
		t.Fatalf("go vet -vettool=asyncgo: %v\n%s", err, out)
	}
}

func TestLintContextLines(t *testing.T) {
	writeModule(t, map[string]string{"p/p.go": doubleLock})
	var stdout, stderr bytes.Buffer
	lint(&stdout, &stderr, suite.Analyzers(), lintOptions{context: 1}, []string{"./p"})
	for _, want := range []string{"p/p.go:13:11: t.mu is locked again", "12\t\tt.n++\n13\t\tt.mu.Lock()\n14\t\tt.mu.Unlock()\n", "p/p.go:11:11: \tt.mu first locked here\n10\t"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("lint -c 1 lacks %q:\n%s", want, stderr.String())
		}
	}
}

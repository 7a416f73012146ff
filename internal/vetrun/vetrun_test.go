package vetrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

// The test binary is the vet tool of the tests (Options.Vettool empty):
// init runs before the tests, whatever the arguments.
func init() { ServeVettool(suite.Analyzers()...) }

// stand-in for the runtime, under its real import path, so that the test
// modules need nothing but themselves.
const aioStandIn = `package aio

import "time"

type Task struct{}

type Coroutine[R any] struct{ f func(*Task) (R, error) }

func Async[R any](f func(t *Task) (R, error)) *Coroutine[R] { return &Coroutine[R]{f} }

func Await[R any](t *Task, c *Coroutine[R]) (R, error) { return c.f(t) }

func Sleep(t *Task, d time.Duration) error { return nil }
`

const doubleLock = `package p

import "sync"

var mu sync.Mutex

func Twice() {
	mu.Lock()
	mu.Lock()
	mu.Unlock()
}
`

// writeModule writes a module vetrun.test requiring the stand-in runtime,
// with files (slash-separated names), and returns its directory.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"go.mod":                     "module vetrun.test\n\ngo 1.26\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => ./asyncgo\n",
		"asyncgo/go.mod":             "module github.com/asyncgo/asyncgo\n\ngo 1.26\n",
		"asyncgo/runtime/aio/aio.go": aioStandIn,
	}
	for name, body := range files {
		all[name] = body
	}
	for name, body := range all {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRunReportsWithRelatedAndFixes(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"p/p.go": doubleLock,
		"h/h.go": `package h

import (
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

var mu sync.Mutex

func Step(t *aio.Task) error {
	mu.Lock()
	defer mu.Unlock()
	return aio.Sleep(t, 0)
}

func Nap(t *aio.Task) error {
	time.Sleep(time.Second)
	return nil
}
`,
		"clean/clean.go": "package clean\n\nfunc F() int { return 1 }\n",
	})
	diags, err := Run(context.Background(), Options{Dir: dir, Patterns: []string{"./..."}, Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "p", "p.go")
	h := filepath.Join(dir, "h", "h.go")
	find := func(analyzer, file string, line int) *Diagnostic {
		for i, d := range diags {
			if d.Analyzer == analyzer && d.File == file && d.Line == line {
				return &diags[i]
			}
		}
		t.Fatalf("no %s diagnostic at %s:%d in %+v", analyzer, file, line, diags)
		return nil
	}
	d := find("lockorder", p, 9)
	if d.Col != 9 || !strings.Contains(d.Message, "mu is locked again") || d.URL != "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/lockorder" || d.Package == "" {
		t.Errorf("lockorder diagnostic: %+v", *d)
	}
	d = find("holdlock", h, 15)
	if len(d.Related) != 1 || d.Related[0] != (Related{File: h, Line: 13, Col: 2, Message: "mu locked here"}) {
		t.Errorf("holdlock diagnostic's related information: %+v", d.Related)
	}
	d = find("blocking", h, 19)
	if d.EndLine != 19 || d.EndCol != 25 || len(d.Fixes) == 0 || len(d.Fixes[0].Edits) == 0 {
		t.Fatalf("blocking diagnostic without its end or fix: %+v", *d)
	}
	src, _ := os.ReadFile(h)
	e := d.Fixes[0].Edits[0]
	if e.File != h || e.Start < 0 || e.End > len(src) || e.Start > e.End || !strings.Contains(string(src[e.Start:e.End])+e.New, "Sleep") {
		t.Errorf("blocking fix edit %+v does not edit the call", e)
	}
	for _, d := range diags {
		if strings.Contains(d.File, "clean") {
			t.Errorf("diagnostic in the clean package: %+v", d)
		}
	}
}

func TestRunOverlayAndTestsAndAnalyzers(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"p/p.go":      "package p\n\nfunc F() {}\n",
		"p/p_test.go": strings.NewReplacer("func Twice", "func twiceInTest", "mu", "tmu").Replace(doubleLock),
	})
	p := filepath.Join(dir, "p", "p.go")
	overlay := map[string][]byte{p: []byte(doubleLock)}

	// The file on disk is clean; the overlay's contents are analysed
	// and reported under the file's own name.
	diags, err := Run(context.Background(), Options{Dir: dir, Patterns: []string{"./p"}, Overlay: overlay})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 1 || diags[0].File != p || diags[0].Line != 9 || diags[0].Analyzer != "lockorder" {
		t.Fatalf("with the overlay and no tests: %+v", diags)
	}
	diags, err = Run(context.Background(), Options{Dir: dir, Patterns: []string{"./p"}, Overlay: overlay, Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 2 || diags[1].File != filepath.Join(dir, "p", "p_test.go") {
		t.Fatalf("with the overlay and tests: %+v", diags)
	}
	diags, err = Run(context.Background(), Options{Dir: dir, Patterns: []string{"./p"}, Overlay: overlay, Tests: true, Analyzers: []string{"holdlock"}})
	if err != nil || len(diags) != 0 {
		t.Fatalf("holdlock alone: %+v, %v", diags, err)
	}
	if _, err := Run(context.Background(), Options{Dir: dir, Patterns: []string{"./p"}, Overlay: map[string][]byte{"p.go": nil}}); err == nil {
		t.Error("a relative overlay name was accepted")
	}
}

func TestRunTypeErrorIsPositioned(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"p/p.go":  "package p\n\nfunc F() { undefined() }\n",
		"q/q.go":  doubleLock,
		"p2/p.go": "package p2\n\nfunc G() int { return \"s\" }\n",
	})
	_, err := Run(context.Background(), Options{Dir: dir, Patterns: []string{"./p"}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Run = %v, want an *Error", err)
	}
	want := Problem{File: filepath.Join(dir, "p", "p.go"), Line: 3, Col: 12, Message: "undefined: undefined"}
	found := false
	for _, p := range e.Problems {
		found = found || p == want
	}
	if !found || e.ExitCode == 0 || !strings.Contains(err.Error(), want.String()) {
		t.Fatalf("problems %+v (exit %d), want %+v; error:\n%v", e.Problems, e.ExitCode, want, err)
	}

	// The broken overlay of a file that compiles on disk, as an editor
	// sends it: the error is at the file's own name.
	q := filepath.Join(dir, "q", "q.go")
	_, err = Run(context.Background(), Options{Dir: dir, Patterns: []string{"./q"}, Overlay: map[string][]byte{q: []byte("package q\n\nvar X int = \"s\"\n")}})
	if !errors.As(err, &e) || len(e.Problems) == 0 || e.Problems[0].File != q || e.Problems[0].Line != 3 {
		t.Fatalf("broken overlay: %v (%+v)", err, e)
	}
}

func TestRunCancelled(t *testing.T) {
	dir := writeModule(t, map[string]string{"p/p.go": doubleLock})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Dir: dir, Patterns: []string{"./..."}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with a cancelled context = %v", err)
	}
	// Cancelled while running: returns promptly with the context's error.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, Options{Dir: dir, Patterns: []string{"./..."}, Env: append(os.Environ(), "GOCACHE="+t.TempDir())})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("Run cancelled after 50ms = %v after %v", err, time.Since(start))
	}
}

func TestRunBadPattern(t *testing.T) {
	dir := writeModule(t, nil)
	_, err := Run(context.Background(), Options{Dir: dir, Patterns: []string{"./nosuch"}})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("Run of a missing package = %v", err)
	}
}

func TestIsVettoolInvocation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"-V=full"}, true},
		{[]string{"-flags"}, true},
		{[]string{"/tmp/b001/vet.cfg"}, true},
		{[]string{"-json", "-lockorder", "/tmp/b001/vet.cfg"}, true},
		{[]string{"lint", "x.cfg"}, false},
		{[]string{"lint", "./..."}, false},
		{[]string{"-V=full", "lint"}, false},
	} {
		if got := IsVettoolInvocation(tc.args); got != tc.want {
			t.Errorf("IsVettoolInvocation(%q) = %v", tc.args, got)
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoVetVettool builds asyncvet and runs the real go vet with it over a
// module, checking what vet prints and its exit status, with and without
// an analyzer flag.
func TestGoVetVettool(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary and runs go vet")
	}
	tmp := t.TempDir()
	tool := filepath.Join(tmp, "asyncvet")
	if out, err := exec.Command("go", "build", "-o", tool, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "mod")
	files := map[string]string{
		"go.mod": "module vet.test\n\ngo 1.26\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => ./asyncgo\n",
		// A stand-in for the runtime, under its real import path.
		"asyncgo/go.mod": "module github.com/asyncgo/asyncgo\n\ngo 1.26\n",
		"asyncgo/runtime/aio/aio.go": `package aio

import "time"

type Task struct{}

type Coroutine[R any] struct{ f func(*Task) (R, error) }

func Async[R any](f func(t *Task) (R, error)) *Coroutine[R] { return &Coroutine[R]{f} }

func Await[R any](t *Task, c *Coroutine[R]) (R, error) { return c.f(t) }

func Sleep(t *Task, d time.Duration) error { return nil }
`,
		"u/u.go": `package u

import "github.com/asyncgo/asyncgo/runtime/aio"

func Work() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return 1, nil })
}

func Main(t *aio.Task) error {
	Work()
	return nil
}
`,
		"h/h.go": `package h

import (
	"sync"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

var mu sync.Mutex

func Step(t *aio.Task) error {
	mu.Lock()
	defer mu.Unlock()
	return aio.Sleep(t, 0)
}
`,
		"p/p.go": `package p

import "sync"

var mu sync.Mutex

func Twice() {
	mu.Lock()
	mu.Lock()
	mu.Unlock()
}
`,
		"clean/clean.go": "package clean\n\nfunc F() int { return 1 }\n",
	}
	for name, body := range files {
		p := filepath.Join(mod, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vet := func(args ...string) (string, int) {
		cmd := exec.Command("go", append([]string{"vet", "-vettool=" + tool}, args...)...)
		cmd.Dir = mod
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}

	out, code := vet("./...")
	if code != 1 || !strings.Contains(out, "p/p.go:9:9: mu is locked again") {
		t.Fatalf("go vet ./... exited %d:\n%s", code, out)
	}
	if out, code := vet("./clean"); code != 0 {
		t.Fatalf("go vet ./clean exited %d:\n%s", code, out)
	}
	if out, code := vet("-lockorder=false", "./p", "./clean"); code != 0 {
		t.Fatalf("go vet -lockorder=false exited %d:\n%s", code, out)
	}

	// unawaited and holdlock, with the others and alone (blocking also
	// reports the mutex in async code). vet prints related information
	// as indented lines.
	for _, tc := range []struct {
		flag, pkg string
		want      []string
	}{
		{"-unawaited", "./u", []string{"u/u.go:10:2: coroutine Work() is never awaited"}},
		{"-holdlock", "./h", []string{
			"h/h.go:14:9: mu (sync.Mutex, locked at line 12) is held across the suspension aio.Sleep",
			"h/h.go:12:2: \tmu locked here",
		}},
	} {
		out, code := vet(tc.pkg)
		if code != 1 || !containsAll(out, tc.want) {
			t.Errorf("go vet %s exited %d, want 1 and %q:\n%s", tc.pkg, code, tc.want, out)
		}
		out, code = vet(tc.flag, tc.pkg)
		if lines := strings.Count(strings.TrimSpace(out), "\n") + 1; code != 1 || !containsAll(out, tc.want) || lines != len(tc.want) {
			t.Errorf("go vet %s %s exited %d, want 1 and only %q:\n%s", tc.flag, tc.pkg, code, tc.want, out)
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

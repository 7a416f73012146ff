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
		"go.mod": "module vet.test\n\ngo 1.26\n",
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
	if out, code := vet("-lockorder=false", "./..."); code != 0 {
		t.Fatalf("go vet -lockorder=false exited %d:\n%s", code, out)
	}
}

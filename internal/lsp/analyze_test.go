package lsp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/analyzer/suite"
	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// A package that does not type-check (here through an unsaved buffer) is
// still analysed: the blocking call is reported, with its fix.
func TestAnalyzeIllTyped(t *testing.T) {
	dir, err := filepath.Abs("testdata/illtyped")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "illtyped.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	overlay := map[string][]byte{file: append(src, "\nvar broken int = \"not an int\"\n"...)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	diags, err := AnalyzeIllTyped(ctx, vetrun.Options{Dir: dir, Patterns: []string{"."}, Overlay: overlay, Tests: true}, suite.Analyzers())
	t.Logf("AnalyzeIllTyped: %v", time.Since(t0))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range diags {
		t.Logf("%s:%d:%d: %s: %s", filepath.Base(d.File), d.Line, d.Col, d.Analyzer, d.Message)
		if d.Analyzer == "blocking" && d.File == file && d.Line == 16 && len(d.Fixes) > 0 && d.URL != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("no blocking diagnostic with a fix at illtyped.go:16 in %+v", diags)
	}
}

// While a package stays ill-typed, Analyze does not run go vet (bound to
// fail) but analyses it in process; once it type-checks, go vet again.
func TestAnalyzeSkipsVetWhileIllTyped(t *testing.T) {
	dir, err := filepath.Abs("testdata/illtyped")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "illtyped.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	vets := 0
	vetRun = func(ctx context.Context, opts vetrun.Options) ([]vetrun.Diagnostic, error) {
		vets++
		if bytes.Contains(opts.Overlay[file], []byte("not an int")) {
			return nil, &vetrun.Error{Problems: []vetrun.Problem{{File: file, Line: 20, Message: "type error"}}}
		}
		return []vetrun.Diagnostic{{Analyzer: "blocking", File: file, Line: 16, Col: 3, Message: "from vet"}}, nil
	}
	defer func() { vetRun = vetrun.Run }()
	broken := map[string][]byte{file: append(slices.Clip(src), "\nvar broken int = \"not an int\"\n"...)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, tc := range []struct {
		overlay map[string][]byte
		vets    int    // go vet runs so far
		from    string // the message expected
	}{
		{broken, 1, "time.Sleep blocks the event loop"}, // vet fails, then in process
		{broken, 1, "time.Sleep blocks the event loop"}, // in process only
		{map[string][]byte{file: src}, 2, "from vet"},   // type-checks: in process, then vet
		{broken, 3, "time.Sleep blocks the event loop"}, // vet first again
	} {
		diags, err := Analyze(ctx, vetrun.Options{Dir: dir, Patterns: []string{"."}, Overlay: tc.overlay, Tests: true})
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if vets != tc.vets || len(diags) != 1 || diags[0].Message != tc.from {
			t.Errorf("run %d: %d go vet runs, diagnostics %+v; want %d, one %q", i, vets, diags, tc.vets, tc.from)
		}
	}
}

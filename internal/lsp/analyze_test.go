package lsp

import (
	"context"
	"os"
	"path/filepath"
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

package suite

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// TestCost runs the whole suite, in one process, over the packages
// $ASYNCGO_COST names (for example "std" or "net/http") and their
// dependencies, as go vet would, so that `go test -cpuprofile` shows where
// the suite's time goes. It prints each analyzer's own time.
func TestCost(t *testing.T) {
	pattern := os.Getenv("ASYNCGO_COST")
	if pattern == "" {
		t.Skip("set ASYNCGO_COST to a package pattern to profile the suite")
	}
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Tests: false}
	pkgs, err := packages.Load(cfg, strings.Fields(pattern)...)
	if err != nil {
		t.Fatal(err)
	}
	// One pass at a time, as in go vet's process per package, so that
	// per-package caches see the one package they would there.
	var mu sync.Mutex
	per := map[string]time.Duration{}
	seen := map[*analysis.Analyzer]bool{}
	var wrap func(a *analysis.Analyzer)
	wrap = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		run := a.Run
		a.Run = func(pass *analysis.Pass) (any, error) {
			mu.Lock()
			defer mu.Unlock()
			t0 := time.Now()
			defer func() { per[a.Name] += time.Since(t0) }()
			return run(pass)
		}
		for _, r := range a.Requires {
			wrap(r)
		}
	}
	for _, a := range Analyzers() {
		wrap(a)
	}
	start := time.Now()
	g, err := checker.Analyze(Analyzers(), pkgs, &checker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("analysis: %v", time.Since(start))
	n := 0
	for act := range g.All() {
		if act.Err != nil {
			t.Logf("%s %s: %v", act.Analyzer.Name, act.Package.PkgPath, act.Err)
		}
		n += len(act.Diagnostics)
	}
	for name, d := range per {
		t.Logf("%-14s %v", name, d)
	}
	t.Logf("%d diagnostics", n)
}

package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/asyncgo/asyncgo/analyzer/suite"
	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// Analyze is the analysis asyncgo lsp runs: [vetrun.Run], so that the
// go command caches each package's facts and results, with the running
// executable (asyncgo) as the vet tool.
//
// go vet does not analyse a package that does not type-check, and a
// buffer being edited often does not. For the packages of such a run,
// Analyze analyses the packages named by opts.Patterns again in this
// process, with the analyzers run despite the type errors (a panic in one
// is its failure, not the server's) and without the facts of dependencies:
// what is found inside the package is reported while it is being typed,
// what needs a callee's facts comes back once it type-checks.
//
// While a package stays ill-typed, the next run analyses it in process
// first and runs go vet only if it type-checks again: an edit in a broken
// buffer does not wait for a go vet that is bound to fail.
func Analyze(ctx context.Context, opts vetrun.Options) ([]vetrun.Diagnostic, error) {
	key := opts.Dir + "\x00" + strings.Join(opts.Patterns, "\x00")
	if _, ok := illTypedLast.Load(key); ok {
		diags, all, err := analyzeIllTyped(ctx, opts, suite.Analyzers())
		if err == nil && all {
			return diags, nil
		}
	}
	diags, err := vetRun(ctx, opts)
	var verr *vetrun.Error
	if !errors.As(err, &verr) {
		illTypedLast.Delete(key)
		return diags, err
	}
	more, all, ferr := analyzeIllTyped(ctx, opts, suite.Analyzers())
	if ferr != nil {
		return diags, errors.Join(err, ferr)
	}
	if all {
		illTypedLast.Store(key, true)
	}
	return slices.Concat(diags, more), nil
}

// vetRun is vetrun.Run (a test's fake otherwise).
var vetRun = vetrun.Run

// illTypedLast holds the keys (directory and patterns) of the Analyze
// runs whose packages were all ill-typed.
var illTypedLast sync.Map

// AnalyzeIllTyped runs analyzers over the packages of opts (with its
// overlay) in this process, running every analyzer despite type errors,
// without dependencies' facts. It reports the diagnostics of the
// packages that have errors only (the others' are vetrun's).
func AnalyzeIllTyped(ctx context.Context, opts vetrun.Options, analyzers []*analysis.Analyzer) ([]vetrun.Diagnostic, error) {
	diags, _, err := analyzeIllTyped(ctx, opts, analyzers)
	return diags, err
}

// analyzeIllTyped is AnalyzeIllTyped, and reports whether every package
// loaded was ill-typed.
func analyzeIllTyped(ctx context.Context, opts vetrun.Options, analyzers []*analysis.Analyzer) (_ []vetrun.Diagnostic, all bool, _ error) {
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.LoadSyntax | packages.NeedModule,
		Dir:     opts.Dir,
		Tests:   opts.Tests,
	}
	if len(opts.Overlay) > 0 {
		// Not Config.Overlay: with it go/packages type-checks every
		// dependency from source (an overlay may invalidate export data),
		// seconds for a package that imports much. The go command takes
		// the overlay instead, so the export data of the dependencies is
		// built from the overlaid files, and the files of the packages
		// analysed are parsed from the overlay here.
		tmp, err := os.MkdirTemp("", "asyncgo-lsp-overlay-")
		if err != nil {
			return nil, false, err
		}
		defer os.RemoveAll(tmp)
		replace := map[string]string{}
		for i, name := range slices.Sorted(maps.Keys(opts.Overlay)) {
			f := filepath.Join(tmp, fmt.Sprintf("%d-%s", i, filepath.Base(name)))
			if err := os.WriteFile(f, opts.Overlay[name], 0o600); err != nil {
				return nil, false, err
			}
			replace[name] = f
		}
		js, err := json.Marshal(struct{ Replace map[string]string }{replace})
		if err != nil {
			return nil, false, err
		}
		desc := filepath.Join(tmp, "overlay.json")
		if err := os.WriteFile(desc, js, 0o600); err != nil {
			return nil, false, err
		}
		cfg.BuildFlags = []string{"-overlay=" + desc}
		cfg.ParseFile = func(fset *token.FileSet, name string, src []byte) (*ast.File, error) {
			if content, ok := opts.Overlay[name]; ok {
				src = content
			}
			return parser.ParseFile(fset, name, src, parser.AllErrors|parser.ParseComments|parser.SkipObjectResolution)
		}
	}
	pkgs, err := packages.Load(cfg, opts.Patterns...)
	if err != nil {
		return nil, false, err
	}
	var illTyped []*packages.Package
	for _, p := range pkgs {
		if p.IllTyped && p.Types != nil && len(p.Syntax) > 0 {
			// The dependencies were loaded from export data, without
			// syntax: run nothing on them.
			p.Imports = nil
			illTyped = append(illTyped, p)
		}
	}
	if len(illTyped) == 0 {
		return nil, false, nil
	}
	all = len(illTyped) == len(pkgs)
	graph, err := checker.Analyze(despiteErrors(analyzers), illTyped, nil)
	if err != nil {
		return nil, false, err
	}
	var diags []vetrun.Diagnostic
	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		fset := act.Package.Fset
		for _, d := range act.Diagnostics {
			diags = append(diags, convert(fset, act.Analyzer, d))
		}
	}
	return diags, all, nil
}

// convert converts an analysis diagnostic to vetrun's form.
func convert(fset *token.FileSet, a *analysis.Analyzer, d analysis.Diagnostic) vetrun.Diagnostic {
	pos := fset.Position(d.Pos)
	vd := vetrun.Diagnostic{Analyzer: a.Name, File: pos.Filename, Line: pos.Line, Col: pos.Column, Message: d.Message, URL: d.URL, Category: d.Category}
	if vd.URL == "" {
		vd.URL = a.URL
	}
	if d.End.IsValid() {
		end := fset.Position(d.End)
		vd.EndLine, vd.EndCol = end.Line, end.Column
	}
	for _, r := range d.Related {
		p := fset.Position(r.Pos)
		vd.Related = append(vd.Related, vetrun.Related{File: p.Filename, Line: p.Line, Col: p.Column, Message: r.Message})
	}
	for _, sf := range d.SuggestedFixes {
		f := vetrun.Fix{Message: sf.Message}
		for _, te := range sf.TextEdits {
			start := fset.Position(te.Pos)
			end := start
			if te.End.IsValid() {
				end = fset.Position(te.End)
			}
			f.Edits = append(f.Edits, vetrun.Edit{File: start.Filename, Start: start.Offset, End: end.Offset, New: string(te.NewText)})
		}
		vd.Fixes = append(vd.Fixes, f)
	}
	return vd
}

// despiteErrors returns copies of analyzers (and of the analyzers they
// require) that run despite type errors and turn a panic into an error.
// Each copy runs the original's Run with a pass that names the original
// analyzers, so that ResultOf lookups by the originals find their results.
func despiteErrors(analyzers []*analysis.Analyzer) []*analysis.Analyzer {
	copies := map[*analysis.Analyzer]*analysis.Analyzer{}
	originals := map[*analysis.Analyzer]*analysis.Analyzer{}
	var dup func(a *analysis.Analyzer) *analysis.Analyzer
	dup = func(a *analysis.Analyzer) *analysis.Analyzer {
		if c, ok := copies[a]; ok {
			return c
		}
		c := new(analysis.Analyzer)
		*c = *a
		copies[a], originals[c] = c, a
		c.RunDespiteErrors = true
		c.Requires = nil
		for _, r := range a.Requires {
			c.Requires = append(c.Requires, dup(r))
		}
		run := a.Run
		c.Run = func(pass *analysis.Pass) (result any, err error) {
			defer func() {
				if r := recover(); r != nil {
					result, err = nil, fmt.Errorf("%s panicked on an ill-typed package: %v", a.Name, r)
				}
			}()
			p := *pass
			p.Analyzer = a
			p.ResultOf = map[*analysis.Analyzer]any{}
			for k, v := range maps.All(pass.ResultOf) {
				p.ResultOf[originals[k]] = v
			}
			return run(&p)
		}
		return c
	}
	var out []*analysis.Analyzer
	for _, a := range analyzers {
		out = append(out, dup(a))
	}
	return out
}

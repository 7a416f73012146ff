package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

// lintUsage is lint's one-line summary: it names every kind of finding of
// the analyzers in suite.Analyzers (a test keeps the two in step).
const lintUsage = "report blocking calls in async code, deadlocks, locks held across a suspension and coroutines never awaited"

func init() {
	register(&cli.Command{
		Name:      "lint",
		Usage:     lintUsage,
		ArgsUsage: "[packages]",
		Description: `lint runs asyncgo's analyzers over the packages named by the go list
patterns (default ./...), like go vet with asyncgo's checks.

Exit status: 0 when nothing is reported, 1 when diagnostics are reported (with
-fix: when some are left without a fix), 2 when the packages cannot be loaded
or an analyzer fails. With -json the diagnostics go to standard output as JSON,
the shape multichecker prints, and only errors make the status non-zero.

The analyzers (go doc github.com/asyncgo/asyncgo/analyzer/<name> for each):
` + analyzerList(suite.Analyzers()),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "fix", Usage: "apply the suggested fixes to the source files"},
			&cli.BoolFlag{Name: "json", Usage: "print the diagnostics as JSON on standard output"},
			&cli.BoolFlag{Name: "test", Value: true, Usage: "analyze the packages' tests too"},
			&cli.IntFlag{Name: "c", Value: -1, Usage: "print this many lines of context around each diagnostic"},
		},
		Action: func(c *cli.Context) error {
			opts := lintOptions{fix: c.Bool("fix"), json: c.Bool("json"), tests: c.Bool("test"), context: c.Int("c")}
			patterns := c.Args().Slice()
			if len(patterns) == 0 {
				patterns = []string{"./..."}
			}
			return lint(c.App.Writer, c.App.ErrWriter, suite.Analyzers(), opts, patterns)
		},
	})
}

// analyzerList lists analyzers one a line, each with the first line of its
// documentation.
func analyzerList(analyzers []*analysis.Analyzer) string {
	width := 0
	for _, a := range analyzers {
		width = max(width, len(a.Name))
	}
	var b strings.Builder
	for _, a := range analyzers {
		summary, _, _ := strings.Cut(a.Doc, "\n")
		fmt.Fprintf(&b, "  %-*s  %s\n", width, a.Name, summary)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

type lintOptions struct {
	fix, json, tests bool
	context          int
	dir              string // where to load from; the working directory if empty
}

func lint(stdout, stderr io.Writer, analyzers []*analysis.Analyzer, opts lintOptions, patterns []string) error {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Tests: opts.tests, Dir: opts.dir}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return cli.Exit(fmt.Sprintf("lint: %v", err), 2)
	}
	if n := printLoadErrors(stderr, pkgs); n > 0 {
		return cli.Exit(fmt.Sprintf("lint: %d errors loading packages", n), 2)
	}
	graph, err := checker.Analyze(analyzers, pkgs, nil)
	if err != nil {
		return cli.Exit(fmt.Sprintf("lint: %v", err), 2)
	}
	diags, failed := collect(graph)
	for _, err := range failed {
		fmt.Fprintln(stderr, err)
	}
	if opts.json {
		if err := graph.PrintJSON(stdout); err != nil {
			return err
		}
	} else if err := graph.PrintText(stderr, opts.context); err != nil {
		return err
	}
	if len(failed) > 0 {
		return cli.Exit("", 2)
	}
	left := len(diags)
	if opts.fix {
		fixed, err := applyFixes(diags)
		if err != nil {
			return cli.Exit(fmt.Sprintf("lint: %v", err), 2)
		}
		fmt.Fprintf(stderr, "lint: applied fixes for %d of %d diagnostics\n", fixed, len(diags))
		left -= fixed
	}
	if left > 0 && !opts.json {
		return cli.Exit("", 1)
	}
	return nil
}

func printLoadErrors(w io.Writer, pkgs []*packages.Package) int {
	n := 0
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, err := range p.Errors {
			fmt.Fprintln(w, err)
			n++
		}
	})
	return n
}

// diagnostic is a reported diagnostic with the file set to place it.
type diagnostic struct {
	analysis.Diagnostic
	fset *token.FileSet
}

// collect returns the root actions' diagnostics, once each (a file can
// belong to a package and its test variant), and the analyzers' errors.
func collect(g *checker.Graph) ([]diagnostic, []error) {
	type key struct {
		pos, end token.Position
		msg      string
	}
	seen := map[key]bool{}
	var diags []diagnostic
	var failed []error
	for act := range g.All() {
		if act.Err != nil {
			failed = append(failed, fmt.Errorf("%s: %s: %v", act.Package.PkgPath, act.Analyzer.Name, act.Err))
		}
		if !act.IsRoot {
			continue
		}
		fset := act.Package.Fset
		for _, d := range act.Diagnostics {
			k := key{fset.Position(d.Pos), fset.Position(d.End), d.Message}
			if !seen[k] {
				seen[k] = true
				diags = append(diags, diagnostic{d, fset})
			}
		}
	}
	return diags, failed
}

// edit replaces the bytes [start, end) of a file with text.
type edit struct {
	start, end int
	text       string
}

// applyFixes applies the first suggested fix of each diagnostic that has
// one, skipping a fix that overlaps one already taken, formats the files
// it changed, and writes each atomically. It returns how many diagnostics
// it fixed. On an error no file is written.
func applyFixes(diags []diagnostic) (int, error) {
	byFile := map[string][]edit{}
	fixed := 0
	for _, d := range diags {
		if len(d.SuggestedFixes) == 0 {
			continue
		}
		perFile := map[string][]edit{}
		for _, te := range d.SuggestedFixes[0].TextEdits {
			start := d.fset.Position(te.Pos)
			end := start
			if te.End.IsValid() {
				end = d.fset.Position(te.End)
			}
			if start.Filename != end.Filename {
				return 0, fmt.Errorf("%s: fix edit spans files", start)
			}
			perFile[start.Filename] = append(perFile[start.Filename], edit{start.Offset, end.Offset, string(te.NewText)})
		}
		if conflicts(byFile, perFile) {
			continue
		}
		for f, es := range perFile {
			byFile[f] = append(byFile[f], es...)
		}
		fixed++
	}
	type result struct {
		name string
		src  []byte
		mode os.FileMode
	}
	var out []result
	for _, name := range slices.Sorted(maps.Keys(byFile)) {
		info, err := os.Stat(name)
		if err != nil {
			return 0, err
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return 0, err
		}
		edited, err := applyEdits(src, byFile[name])
		if err != nil {
			return 0, fmt.Errorf("%s: %v", name, err)
		}
		formatted, err := format.Source(edited)
		if err != nil {
			return 0, fmt.Errorf("%s: the fixed file does not parse: %v", name, err)
		}
		out = append(out, result{name, formatted, info.Mode().Perm()})
	}
	for _, r := range out {
		if err := writeFileAtomic(r.name, r.src, r.mode); err != nil {
			return 0, err
		}
	}
	return fixed, nil
}

// conflicts reports whether an edit of next overlaps, without being equal
// to, an edit already accepted in have.
func conflicts(have, next map[string][]edit) bool {
	for f, es := range next {
		for _, e := range es {
			for _, h := range have[f] {
				if e != h && e.start < max(h.end, h.start+1) && h.start < max(e.end, e.start+1) {
					return true
				}
			}
		}
	}
	return false
}

func applyEdits(src []byte, edits []edit) ([]byte, error) {
	edits = slices.Clone(edits)
	slices.SortFunc(edits, func(a, b edit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
	edits = slices.Compact(edits) // the same fix reported twice
	var buf bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.start < last || e.end > len(src) || e.start > e.end {
			return nil, errors.New("overlapping or out-of-range edits")
		}
		buf.Write(src[last:e.start])
		buf.WriteString(e.text)
		last = e.end
	}
	buf.Write(src[last:])
	return buf.Bytes(), nil
}

// writeFileAtomic replaces name with data through a temporary file in the
// same directory, so a reader sees the old file or the new one, never a
// part.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".asyncgo-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/tools/go/analysis"

	"github.com/asyncgo/asyncgo/analyzer/suite"
	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// lintUsage is lint's one-line summary: it names every kind of finding of
// the analyzers in suite.Analyzers (a test keeps the two in step).
const lintUsage = "report blocking calls in async code, deadlocks, condition-variable wake-ups that can be missed, locks held across a suspension and coroutines never awaited"

func init() {
	register(&cli.Command{
		Name:      "lint",
		Usage:     lintUsage,
		ArgsUsage: "[packages]",
		Description: `lint runs asyncgo's analyzers over the packages named by the go list
patterns (default ./...), like go vet with asyncgo's checks. It runs them
through go vet (asyncgo is its own vet tool: go vet -vettool=$(command -v
asyncgo) works too), so the go command caches each package's facts and
results by content and a second run costs what go vet costs. Like go vet it
analyses each package together with its tests; -test=false drops the
diagnostics in _test.go files.

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

// serveVettool makes asyncgo its own vet tool: when the go command runs it
// as one (go vet -vettool=$(command -v asyncgo), or lint below), it runs
// the analyzers of the suite under unitchecker's protocol and exits.
func serveVettool() { vetrun.ServeVettool(suite.Analyzers()...) }

// lint runs analyzers over the packages through the go command's vet
// machinery (internal/vetrun), with the running executable as the vet
// tool: the go command caches each package's facts and results, so a run
// costs what go vet costs. The executable must serve analyzers as a vet
// tool (serveVettool; a test binary, from an init function).
func lint(stdout, stderr io.Writer, analyzers []*analysis.Analyzer, opts lintOptions, patterns []string) error {
	var names []string // all of the tool's when the whole suite is asked for
	if !slices.Equal(analyzerNames(analyzers), analyzerNames(suite.Analyzers())) {
		names = analyzerNames(analyzers)
	}
	diags, err := vetrun.Run(context.Background(), vetrun.Options{
		Dir:       opts.dir,
		Patterns:  patterns,
		Tests:     opts.tests,
		Analyzers: names,
	})
	var verr *vetrun.Error
	if err != nil && !errors.As(err, &verr) {
		return cli.Exit(fmt.Sprintf("lint: %v", err), 2)
	}
	if opts.json {
		if err := printJSON(stdout, diags); err != nil {
			return err
		}
	} else {
		printText(stderr, diags, opts.context)
	}
	if verr != nil {
		for _, p := range verr.Problems {
			p.File = shortPath(p.File)
			fmt.Fprintln(stderr, p)
		}
		return cli.Exit(fmt.Sprintf("lint: %d errors loading or analysing packages", len(verr.Problems)), 2)
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

func analyzerNames(analyzers []*analysis.Analyzer) []string {
	names := make([]string, len(analyzers))
	for i, a := range analyzers {
		names[i] = a.Name
	}
	return names
}

// shortPath is name relative to the working directory when that is
// shorter, as the go command prints file names.
func shortPath(name string) string {
	if wd, err := os.Getwd(); err == nil && name != "" {
		if rel, err := filepath.Rel(wd, name); err == nil && len(rel) < len(name) && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return name
}

// printText prints the diagnostics as go vet does: file:line:col: message,
// then each related position with its message indented, and with context
// >= 0 that many lines around each.
func printText(w io.Writer, diags []vetrun.Diagnostic, context int) {
	show := func(file string, line, col, endLine int, msg string) {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", shortPath(file), line, col, msg)
		if context < 0 || file == "" {
			return
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return
		}
		lines := strings.Split(string(data), "\n")
		for i := line - context; i <= max(line, endLine)+context; i++ {
			if 1 <= i && i <= len(lines) {
				fmt.Fprintf(w, "%d\t%s\n", i, lines[i-1])
			}
		}
	}
	for _, d := range diags {
		show(d.File, d.Line, d.Col, d.EndLine, d.Message)
		for _, r := range d.Related {
			show(r.File, r.Line, r.Col, 0, "\t"+r.Message)
		}
	}
}

// printJSON prints the diagnostics in the shape of unitchecker's and
// multichecker's -json: package ID -> analyzer -> diagnostics.
func printJSON(w io.Writer, diags []vetrun.Diagnostic) error {
	type jsonEdit struct {
		Filename string `json:"filename"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
		New      string `json:"new"`
	}
	type jsonFix struct {
		Message string     `json:"message"`
		Edits   []jsonEdit `json:"edits"`
	}
	type jsonRelated struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	}
	type jsonDiagnostic struct {
		Category       string        `json:"category,omitempty"`
		Posn           string        `json:"posn"`
		End            string        `json:"end,omitempty"`
		Message        string        `json:"message"`
		URL            string        `json:"url,omitempty"`
		SuggestedFixes []jsonFix     `json:"suggested_fixes,omitempty"`
		Related        []jsonRelated `json:"related,omitempty"`
	}
	posn := func(file string, line, col int) string { return fmt.Sprintf("%s:%d:%d", file, line, col) }
	tree := map[string]map[string][]jsonDiagnostic{}
	for _, d := range diags {
		jd := jsonDiagnostic{Category: d.Category, Posn: posn(d.File, d.Line, d.Col), Message: d.Message, URL: d.URL}
		if d.EndLine > 0 {
			jd.End = posn(d.File, d.EndLine, d.EndCol)
		}
		for _, f := range d.Fixes {
			jf := jsonFix{Message: f.Message}
			for _, e := range f.Edits {
				jf.Edits = append(jf.Edits, jsonEdit{e.File, e.Start, e.End, e.New})
			}
			jd.SuggestedFixes = append(jd.SuggestedFixes, jf)
		}
		for _, r := range d.Related {
			jd.Related = append(jd.Related, jsonRelated{posn(r.File, r.Line, r.Col), r.Message})
		}
		if tree[d.Package] == nil {
			tree[d.Package] = map[string][]jsonDiagnostic{}
		}
		tree[d.Package][d.Analyzer] = append(tree[d.Package][d.Analyzer], jd)
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
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
func applyFixes(diags []vetrun.Diagnostic) (int, error) {
	byFile := map[string][]edit{}
	fixed := 0
	for _, d := range diags {
		if len(d.Fixes) == 0 {
			continue
		}
		perFile := map[string][]edit{}
		for _, e := range d.Fixes[0].Edits {
			perFile[e.File] = append(perFile[e.File], edit{e.Start, e.End, e.New})
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

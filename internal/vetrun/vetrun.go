// Package vetrun runs asyncgo's analyzers through the go command's vet machinery (go vet -vettool -json), so facts and results are cached per package like go vet's.
//
// Run starts one `go vet -json -vettool=TOOL` over the packages and parses
// the JSON the tool writes for each package. The go command keys each
// package's facts and results by the content of its files, of its
// dependencies' facts and of the tool, and replays the cached ones: a run
// whose inputs did not change costs what `go vet` costs, however many
// packages and dependencies there are.
//
// The vet tool is a program that speaks unitchecker's protocol (`-V=full`,
// `-flags`, then one `.cfg` file per package). With Options.Vettool empty,
// Run uses the running executable itself, which therefore must call
// [ServeVettool] first thing in main (asyncgo does, and so must a test
// binary that calls Run with no Vettool: call it from an init function of a
// _test.go file, which runs before TestMain).
package vetrun

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

// Options says what Run analyses and how.
type Options struct {
	Dir       string            // where the go command runs (module dir)
	Patterns  []string          // package patterns, e.g. "./..."
	Overlay   map[string][]byte // absolute file path -> unsaved contents (passed as go vet -overlay)
	Tests     bool              // also analyse test files
	Vettool   string            // path of the vet tool; "" means the running executable (see ServeVettool)
	Analyzers []string          // names to enable; nil means all

	// Go is the go command to run; "" means "go" from PATH.
	Go string
	// Env is the go command's environment; nil means the current one.
	Env []string
}

// A Diagnostic is one finding of an analyzer. Positions are absolute file
// names (the files of Options.Overlay under their own names) with 1-based
// lines and columns (bytes).
//
// go vet always analyses a package together with its tests (so that each
// file is analysed once); with Options.Tests false, diagnostics in
// _test.go files are dropped.
type Diagnostic struct {
	Analyzer        string
	File            string
	Line, Col       int // 1-based
	EndLine, EndCol int // 1-based; 0 when unknown
	Message         string
	URL             string // the analyzer's documentation, for the analyzers of asyncgo's suite
	Related         []Related
	Fixes           []Fix
	Package         string // the ID of the package vet reported it in, e.g. "p [p.test]"
	Category        string // the analyzer's category of the diagnostic, if any
}

// Related is a secondary position of a diagnostic (for a deadlock, the
// other side).
type Related struct {
	File      string
	Line, Col int
	Message   string
}

// A Fix is a suggested fix: edits to apply all together or not at all.
type Fix struct {
	Message string
	Edits   []Edit
}

// An Edit replaces the bytes [Start, End) of File (as analysed: the
// overlay's contents for an overlaid file) with New.
type Edit struct {
	File       string
	Start, End int // byte offsets
	New        string
}

// Error is a failed run: a package that does not load, build or type-check
// (its positioned errors are in Problems), a failed analyzer, or a go
// command that could not run. Run's other errors are the context's.
type Error struct {
	Problems []Problem // the positioned errors, in the go command's order
	Output   string    // the go command's standard error
	ExitCode int       // the go command's exit status; -1 if it did not exit
}

// A Problem is one error: a positioned compiler or type-checker error, or
// (File empty) an error without a position.
type Problem struct {
	File      string // absolute; "" if the error has no position
	Line, Col int    // 1-based; 0 when unknown
	Message   string
}

func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Message
	case p.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return p.File + ": " + p.Message
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		out := strings.TrimSpace(e.Output)
		if out == "" {
			out = fmt.Sprintf("go vet exited with status %d", e.ExitCode)
		}
		return out
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Run runs the vet tool over the packages through `go vet -json` and
// returns the diagnostics, sorted by position. If some package fails to
// load, build or type-check, or an analyzer fails, it returns the
// diagnostics of the others together with an *Error. Cancelling ctx kills
// the go command and its children and returns ctx's error.
func Run(ctx context.Context, opts Options) ([]Diagnostic, error) {
	tool := opts.Vettool
	if tool == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("vetrun: finding the vet tool: %v", err)
		}
		tool = exe
	}
	tool, err := filepath.Abs(tool)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}

	args := []string{"vet", "-json", "-vettool=" + tool}
	// Files of our own stand for the overlaid ones; the tool reports
	// positions in them, renamed back below.
	var renames map[string]string
	if len(opts.Overlay) > 0 {
		tmp, err := os.MkdirTemp("", "vetrun-overlay-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		flag, r, err := writeOverlay(tmp, overlayDir(), opts.Overlay)
		if err != nil {
			return nil, err
		}
		args = append(args, flag)
		renames = r
	}
	for _, name := range opts.Analyzers {
		args = append(args, "-"+name)
	}
	args = append(args, "--")
	args = append(args, opts.Patterns...)

	goCmd := cmp.Or(opts.Go, "go")
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = dir
	cmd.Env = opts.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	killGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	p := parser{dir: dir, renames: renames, tests: opts.Tests, urls: suiteURLs()}
	diags, failed, perr := p.parseJSON(stdout.Bytes())
	if runErr == nil && perr != nil {
		return nil, fmt.Errorf("vetrun: reading go vet -json: %v", perr)
	}
	if runErr != nil || len(failed) > 0 {
		e := &Error{Output: stderr.String(), ExitCode: -1}
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			e.ExitCode = ee.ExitCode()
		} else if runErr != nil {
			e.Problems = append(e.Problems, Problem{Message: fmt.Sprintf("running %s vet: %v", goCmd, runErr)})
		}
		e.Problems = append(e.Problems, p.parseStderr(stderr.String())...)
		e.Problems = append(e.Problems, failed...)
		return diags, e
	}
	return diags, nil
}

// overlayDir is where the contents of overlaid files are written.
//
// A file's contents go to a name made of the hash of its name and
// contents, the same in every run: the go command caches what the tool
// prints by content, and a cached report names the file the run that made
// it wrote, which must be the name this run renames back. Files not used
// for a day are removed.
func overlayDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("asyncgo-vetrun-overlay-%d", os.Getuid()))
}

// writeOverlay writes the overlaid contents to files under dir and the go
// command's overlay description to tmp, and returns the -overlay flag and
// the map from each file written to the file it stands for.
func writeOverlay(tmp, dir string, overlay map[string][]byte) (string, map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	removeStale(dir, 24*time.Hour)
	replace := map[string]string{}
	renames := map[string]string{}
	for name, content := range overlay {
		if !filepath.IsAbs(name) {
			return "", nil, fmt.Errorf("vetrun: overlay file %q is not an absolute path", name)
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00", name)
		h.Write(content)
		d := filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:32])
		actual := filepath.Join(d, filepath.Base(name))
		if err := writeOnce(actual, content); err != nil {
			return "", nil, err
		}
		replace[name] = actual
		renames[actual] = name
	}
	js, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", nil, err
	}
	desc := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(desc, js, 0o600); err != nil {
		return "", nil, err
	}
	return "-overlay=" + desc, renames, nil
}

// writeOnce makes name hold content: it touches it if it exists (its name
// says its content), else writes it through a temporary file renamed into
// place, so that a concurrent run never reads a part.
func writeOnce(name string, content []byte) error {
	now := time.Now()
	if os.Chtimes(filepath.Dir(name), now, now) == nil && os.Chtimes(name, now, now) == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeStale removes the entries of dir not touched for age.
func removeStale(dir string, age time.Duration) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// suiteURLs maps the name of each analyzer of asyncgo's suite to its URL
// (the JSON of go vet does not carry it).
func suiteURLs() map[string]string {
	urls := map[string]string{}
	for _, a := range suite.Analyzers() {
		urls[a.Name] = a.URL
	}
	return urls
}

type parser struct {
	dir     string
	renames map[string]string // temporary overlay file -> the file it stands for
	tests   bool
	urls    map[string]string
}

// JSON of unitchecker -json (golang.org/x/tools/internal/analysis/driverutil):
// package ID -> analyzer -> ([]jsonDiagnostic | {"error": ...}).
type jsonDiagnostic struct {
	Category       string `json:"category"`
	Posn           string `json:"posn"`
	End            string `json:"end"`
	Message        string `json:"message"`
	SuggestedFixes []struct {
		Message string `json:"message"`
		Edits   []struct {
			Filename string `json:"filename"`
			Start    int    `json:"start"`
			End      int    `json:"end"`
			New      string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
	Related []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
}

// parseJSON reads the stream of JSON trees go vet -json prints, one per
// package, and returns the diagnostics (sorted, each once) and the
// analyzers' errors.
func (p *parser) parseJSON(data []byte) ([]Diagnostic, []Problem, error) {
	var diags []Diagnostic
	var failed []Problem
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return diags, failed, err
		}
		for _, id := range slices.Sorted(maps.Keys(tree)) {
			for _, analyzer := range slices.Sorted(maps.Keys(tree[id])) {
				raw := tree[id][analyzer]
				if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
					var e struct {
						Err string `json:"error"`
					}
					if err := json.Unmarshal(raw, &e); err != nil {
						return diags, failed, err
					}
					failed = append(failed, Problem{Message: fmt.Sprintf("%s: %s: %s", id, analyzer, e.Err)})
					continue
				}
				var jds []jsonDiagnostic
				if err := json.Unmarshal(raw, &jds); err != nil {
					return diags, failed, err
				}
				for _, jd := range jds {
					d := p.diagnostic(id, analyzer, jd)
					if !p.tests && strings.HasSuffix(d.File, "_test.go") {
						continue
					}
					diags = append(diags, d)
				}
			}
		}
	}
	slices.SortStableFunc(diags, compareDiagnostics)
	diags = slices.CompactFunc(diags, func(a, b Diagnostic) bool {
		return a.File == b.File && a.Line == b.Line && a.Col == b.Col && a.Analyzer == b.Analyzer && a.Message == b.Message
	})
	return diags, failed, nil
}

func compareDiagnostics(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
		cmp.Compare(a.Analyzer, b.Analyzer),
		cmp.Compare(a.Message, b.Message),
	)
}

func (p *parser) diagnostic(id, analyzer string, jd jsonDiagnostic) Diagnostic {
	d := Diagnostic{Analyzer: analyzer, Message: jd.Message, URL: p.urls[analyzer], Package: id, Category: jd.Category}
	d.File, d.Line, d.Col = p.position(jd.Posn)
	if f, l, c := p.position(jd.End); f == d.File && l > 0 {
		d.EndLine, d.EndCol = l, c
	}
	for _, r := range jd.Related {
		f, l, c := p.position(r.Posn)
		d.Related = append(d.Related, Related{File: f, Line: l, Col: c, Message: r.Message})
	}
	for _, sf := range jd.SuggestedFixes {
		fix := Fix{Message: sf.Message}
		for _, e := range sf.Edits {
			fix.Edits = append(fix.Edits, Edit{File: p.file(e.Filename), Start: e.Start, End: e.End, New: e.New})
		}
		d.Fixes = append(d.Fixes, fix)
	}
	return d
}

// file returns the absolute name of a file the go command or the tool
// names, the overlaid file for a temporary one.
func (p *parser) file(name string) string {
	if name == "" {
		return ""
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(p.dir, name)
	}
	if orig, ok := p.renames[name]; ok {
		return orig
	}
	return name
}

var posnRE = regexp.MustCompile(`^(.+?)(?::(\d+))?(?::(\d+))?$`)

// position parses a token.Position's String form: file:line:col,
// file:line, file, or "-".
func (p *parser) position(s string) (file string, line, col int) {
	if s == "" || s == "-" {
		return "", 0, 0
	}
	m := posnRE.FindStringSubmatch(s)
	line, _ = strconv.Atoi(m[2])
	col, _ = strconv.Atoi(m[3])
	return p.file(m[1]), line, col
}

// errorLineRE matches a positioned error line of the compiler, the type
// checker or vet: file.go:line[:col]: message.
var errorLineRE = regexp.MustCompile(`^(?:vet: )?(\S[^:]*\.go):(\d+)(?::(\d+))?: (.*)$`)

// parseStderr extracts the errors from the go command's standard error:
// positioned lines become positioned problems, other lines (except the
// "# package" headers) problems without a position.
func (p *parser) parseStderr(s string) []Problem {
	var probs []Problem
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		if m := errorLineRE.FindStringSubmatch(line); m != nil {
			l, _ := strconv.Atoi(m[2])
			c, _ := strconv.Atoi(m[3])
			probs = append(probs, Problem{File: p.file(m[1]), Line: l, Col: c, Message: m[4]})
			continue
		}
		probs = append(probs, Problem{Message: line})
	}
	return probs
}

// IsVettoolInvocation reports whether args (os.Args[1:]) are those of the
// go command invoking a vet tool: -V=full, -flags, or flags then one .cfg
// file.
func IsVettoolInvocation(args []string) bool {
	switch {
	case len(args) == 0:
		return false
	case len(args) == 1 && (args[0] == "-V=full" || args[0] == "-flags"):
		return true
	case !strings.HasSuffix(args[len(args)-1], ".cfg"):
		return false
	}
	for _, a := range args[:len(args)-1] {
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return true
}

// ServeVettool makes the running program a vet tool for analyzers when the
// go command invokes it as one (see IsVettoolInvocation): it then runs
// unitchecker.Main, which does not return. Otherwise it returns at once.
// Call it first thing in main.
func ServeVettool(analyzers ...*analysis.Analyzer) {
	if IsVettoolInvocation(os.Args[1:]) {
		unitchecker.Main(analyzers...)
	}
}

package heldout

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// corpus is the held-out module, relative to this package.
const corpus = "../../testdata/heldout"

// runLimit bounds building the vet tool and vetting the corpus on a loaded
// two-core machine.
const runLimit = 10 * time.Minute

// TestCorpus checks that every kernel is complete, so that a kernel that
// lost its fixed version or its sites fails here, in make test, and not
// only in the gated run.
func TestCorpus(t *testing.T) {
	ks, err := Load(corpus)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) < 30 {
		t.Errorf("%d kernels, want at least 30", len(ks))
	}
	seen := map[string]string{}
	for _, k := range ks {
		if prev, ok := seen[k.Upstream]; ok {
			t.Errorf("%s and %s name the same upstream %q", prev, k.ID(), k.Upstream)
		}
		seen[k.Upstream] = k.ID()
		if err := k.checkRound(); err != nil {
			t.Error(err)
		}
	}
}

// checkRound checks a kernel's Round line, if it has one: a number above 1
// (round 1 is unmarked), on the line right after or before the Upstream
// line.
func (k Kernel) checkRound() error {
	if k.RoundAt == "" {
		return nil
	}
	if n := k.Round(); n < 2 {
		return fmt.Errorf("%s: %q line %q at %s: want a round number above 1 (round 1 has no Round line)", k.ID(), roundPrefix, k.RoundText, k.RoundAt)
	}
	if !adjacent(k.UpstreamAt, k.RoundAt) {
		return fmt.Errorf("%s: %q line at %s is not next to the %q line at %s", k.ID(), roundPrefix, k.RoundAt, upstreamPrefix, k.UpstreamAt)
	}
	return nil
}

// adjacent reports whether two file:line positions are on neighbouring
// lines of the same file.
func adjacent(a, b string) bool {
	fa, la, okA := cutLine(a)
	fb, lb, okB := cutLine(b)
	return okA && okB && fa == fb && (la-lb == 1 || lb-la == 1)
}

func cutLine(pos string) (string, int, bool) {
	i := strings.LastIndex(pos, ":")
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(pos[i+1:])
	return pos[:i], n, err == nil
}

// TestRound checks the reading and the checks of Round lines on kernels
// made up here.
func TestRound(t *testing.T) {
	cases := []struct {
		src   string
		round int
		ok    bool
	}{
		{"package bug\n// Upstream: x/y#1\nfunc f() {\n\tmu.Lock() // heldout:site\n}\n", 1, true},
		{"package bug\n// Upstream: x/y#1\n// Round: 2\nfunc f() {\n\tmu.Lock() // heldout:site\n}\n", 2, true},
		{"package bug\n// Round: 3\n// Upstream: x/y#1\nfunc f() {}\n", 3, true},
		{"package bug\n// Upstream: x/y#1\n//\n// Round: 2\nfunc f() {}\n", 2, false},
		{"package bug\n// Upstream: x/y#1\n// Round: two\nfunc f() {}\n", 0, false},
		{"package bug\n// Upstream: x/y#1\n// Round: 1\nfunc f() {}\n", 1, false},
	}
	for i, c := range cases {
		k := Kernel{Shape: "s", Name: "n", Dir: t.TempDir(), Sites: map[string][]int{}}
		if err := k.scanLines(filepath.Join(k.BugDir(), "b.go"), strings.NewReader(c.src)); err != nil {
			t.Fatal(err)
		}
		err := k.checkRound()
		if k.Round() != c.round || (err == nil) != c.ok {
			t.Errorf("case %d: round %d, check error %v; want round %d, ok %v", i, k.Round(), err, c.round, c.ok)
		}
	}
	k := Kernel{Shape: "s", Name: "n", Dir: t.TempDir(), Sites: map[string][]int{}}
	if err := k.scanLines("b.go", strings.NewReader("// Upstream: x/y#1\n// Round: 2\n// Round: 2\n")); err == nil {
		t.Errorf("two Round lines: no error")
	}
}

// TestScores checks the sorting of diagnostics on a kernel made up here.
func TestScores(t *testing.T) {
	dir := t.TempDir()
	k := Kernel{Shape: "s", Name: "n", Dir: dir, Sites: map[string][]int{}}
	bugFile := filepath.Join(k.BugDir(), "b.go")
	src := "package bug\n// Upstream: x/y#1\n// Seen: abc123\nfunc f() {\n\tmu.Lock() // heldout:site\n\t// heldout:site is not a site on a comment line\n}\n"
	if err := k.scanLines(bugFile, strings.NewReader(src)); err != nil {
		t.Fatal(err)
	}
	if k.Upstream != "x/y#1" || k.Seen != "abc123" || !slices.Equal(k.Sites[bugFile], []int{5}) {
		t.Fatalf("scan: upstream %q, seen %q, sites %v; want x/y#1, abc123, [5]", k.Upstream, k.Seen, k.Sites[bugFile])
	}
	fixedFile := filepath.Join(k.FixedDir(), "f.go")
	diags := []vetrun.Diagnostic{
		{File: bugFile, Line: 5, Message: "at the site"},
		{File: bugFile, Line: 4, Message: "related at the site", Related: []vetrun.Related{{File: bugFile, Line: 5}}},
		{File: bugFile, Line: 6, Message: "elsewhere"},
		{File: fixedFile, Line: 4, Message: "false positive"},
		{File: filepath.Join(dir, "other", "o.go"), Line: 4, Message: "outside"},
	}
	s := Scores([]Kernel{k}, diags)[0]
	if len(s.Caught) != 2 || len(s.Elsewhere) != 1 || len(s.FalsePositives) != 1 {
		t.Errorf("caught %d, elsewhere %d, false positives %d; want 2, 1, 1", len(s.Caught), len(s.Elsewhere), len(s.FalsePositives))
	}
}

// TestHeldout runs the whole suite over the corpus and prints, per kernel
// and per shape, what it caught and what it reported on fixed code. It
// fails on any report on a fixed version (precision) and on a corpus that
// does not build; recall is recorded, not asserted. Set ASYNCGO_HELDOUT=1
// to run it, and ASYNCGO_HELDOUT_VETTOOL to a built asyncvet to measure
// that tool instead of one built from this checkout. ASYNCGO_HELDOUT_SEEN=1
// vets and reports only the development kernels (those with a Seen line),
// so that work on the analyzers can be measured without exposing the
// held-out rounds.
func TestHeldout(t *testing.T) {
	if os.Getenv("ASYNCGO_HELDOUT") != "1" {
		t.Skip("set ASYNCGO_HELDOUT=1 to run the held-out measurement")
	}
	ks, err := Load(corpus)
	if err != nil {
		t.Fatal(err)
	}
	patterns := []string{"./..."}
	if os.Getenv("ASYNCGO_HELDOUT_SEEN") == "1" {
		ks = slices.DeleteFunc(ks, func(k Kernel) bool { return k.Seen == "" })
		patterns = nil
		for _, k := range ks {
			patterns = append(patterns, "./"+k.Shape+"/"+k.Name+"/bug", "./"+k.Shape+"/"+k.Name+"/fixed")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	tool := os.Getenv("ASYNCGO_HELDOUT_VETTOOL")
	if tool == "" {
		tool = filepath.Join(t.TempDir(), "asyncvet")
		build := exec.CommandContext(ctx, "go", "build", "-o", tool, "./cmd/asyncvet")
		build.Dir = "../.."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building asyncvet: %v\n%s", err, out)
		}
	}
	start := time.Now()
	diags, err := vetrun.Run(ctx, vetrun.Options{
		Dir:      corpus,
		Patterns: patterns,
		Vettool:  tool,
		Env:      append(os.Environ(), "GOWORK=off", "GOFLAGS="),
	})
	if err != nil {
		t.Fatalf("vetting the corpus: %v", err)
	}
	t.Logf("vetted %d kernels in %v", len(ks), time.Since(start).Round(time.Second))
	scores := Scores(ks, diags)
	report(t, scores)
	for _, s := range scores {
		for _, d := range s.FalsePositives {
			t.Errorf("false positive on the fixed version of %s: %s", s.Kernel.ID(), format(d))
		}
	}
}

// report logs the per-kernel table, then the per-shape one with a row per
// round of the corpus and one for the kernels no analyzer testdata has seen.
func report(t *testing.T, scores []Score) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "kernel\tbug\tfixed\tround\tupstream")
	type tally struct{ kernels, caught, fp int }
	shapes := map[string]*tally{}
	var order []string
	for _, s := range scores {
		bug, fixed := "missed", "silent"
		if len(s.Caught) > 0 {
			bug = "caught"
		}
		if len(s.FalsePositives) > 0 {
			fixed = "FALSE POSITIVE"
		}
		if s.Kernel.Seen != "" {
			bug += " (seen)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\n", s.Kernel.ID(), bug, fixed, s.Kernel.Round(), s.Kernel.Upstream)
		sh := shapes[s.Kernel.Shape]
		if sh == nil {
			sh = &tally{}
			shapes[s.Kernel.Shape] = sh
			order = append(order, s.Kernel.Shape)
		}
		sh.kernels++
		if len(s.Caught) > 0 {
			sh.caught++
		}
		if len(s.FalsePositives) > 0 {
			sh.fp++
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "shape\tkernels\tcaught\trecall\tfixed reported")
	var total tally
	for _, name := range order {
		sh := shapes[name]
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%d\n", name, sh.kernels, sh.caught, percent(sh.caught, sh.kernels), sh.fp)
		total.kernels += sh.kernels
		total.caught += sh.caught
		total.fp += sh.fp
	}
	fmt.Fprintf(w, "total\t%d\t%d\t%s\t%d\n", total.kernels, total.caught, percent(total.caught, total.kernels), total.fp)
	rounds := map[int]*tally{}
	for _, s := range scores {
		r := rounds[s.Kernel.Round()]
		if r == nil {
			r = &tally{}
			rounds[s.Kernel.Round()] = r
		}
		r.kernels++
		if len(s.Caught) > 0 {
			r.caught++
		}
		if len(s.FalsePositives) > 0 {
			r.fp++
		}
	}
	for _, n := range slices.Sorted(maps.Keys(rounds)) {
		r := rounds[n]
		fmt.Fprintf(w, "round %d\t%d\t%d\t%s\t%d\n", n, r.kernels, r.caught, percent(r.caught, r.kernels), r.fp)
	}
	var held tally
	for _, s := range scores {
		if s.Kernel.Seen != "" {
			continue
		}
		held.kernels++
		if len(s.Caught) > 0 {
			held.caught++
		}
		if len(s.FalsePositives) > 0 {
			held.fp++
		}
	}
	fmt.Fprintf(w, "not seen\t%d\t%d\t%s\t%d\n", held.kernels, held.caught, percent(held.caught, held.kernels), held.fp)
	w.Flush()
	t.Log("\n" + b.String())
	for _, s := range scores {
		for _, d := range s.Caught {
			t.Logf("caught %s: %s", s.Kernel.ID(), format(d))
		}
		for _, d := range s.Elsewhere {
			t.Logf("reported off the marked sites of %s: %s", s.Kernel.ID(), format(d))
		}
	}
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
}

// format is a diagnostic as file:line:col: [analyzer] message, the file
// relative to the corpus.
func format(d vetrun.Diagnostic) string {
	file := d.File
	if abs, err := filepath.Abs(corpus); err == nil {
		if rel, err := filepath.Rel(abs, file); err == nil {
			file = rel
		}
	}
	return fmt.Sprintf("%s:%d:%d: [%s] %s", file, d.Line, d.Col, d.Analyzer, d.Message)
}

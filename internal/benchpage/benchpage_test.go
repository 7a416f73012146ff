package benchpage

import (
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fixture is a real run: testdata/gotest.txt (go test -bench -benchtime
// 100x ./bench/...) and testdata/python.jsonl (the scripts' --json lines),
// from a loaded 2-core machine.
func fixture(t *testing.T) *Page {
	t.Helper()
	f, err := os.Open("testdata/gotest.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := ParseGo(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/python.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var py PyRun
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if err := py.AddPython(sc.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	return &Page{
		Meta: Meta{
			Date: time.Date(2026, 11, 26, 11, 30, 0, 0, time.UTC), CPU: run.CPU, Cores: 2,
			GOOS: run.GOOS, GOARCH: run.GOARCH, GoVersion: "go1.26.8",
			LoadBefore: 18.2, LoadAfter: 16.1, Count: 3,
			GoCommand: "go test -run '^$' -bench . -benchmem ./bench/...",
			PyCommand: "python3 bench/coro/generators.py --json",
		},
		Go: run, Py: py, Rows: Rows, SVGName: "benchmarks.svg",
	}
}

func TestParseGo(t *testing.T) {
	p := fixture(t)
	run := p.Go
	if run.CPU != "AMD EPYC" || run.GOOS != "linux" || run.GOARCH != "amd64" {
		t.Errorf("header: cpu %q, goos %q, goarch %q", run.CPU, run.GOOS, run.GOARCH)
	}
	if len(run.Results) != 56 || len(run.Lines) != len(run.Results) {
		t.Errorf("%d results, %d lines; want 56 each", len(run.Results), len(run.Lines))
	}
	res, ok := run.Lookup("bench/aio", "BenchmarkSleepingTasks100k")
	if !ok {
		t.Fatal("BenchmarkSleepingTasks100k not found")
	}
	want := map[string]float64{"ns/op": 1498641632, "bytes/task": 2770, "B/op": 77198135, "allocs/op": 1100066}
	if res.Pkg != "github.com/asyncgo/asyncgo/bench/aio" || res.Procs != 2 || res.N != 100 || len(res.Metrics) != len(want) {
		t.Errorf("got %+v", res)
	}
	for unit, v := range want {
		if res.Metrics[unit] != v {
			t.Errorf("%s = %v, want %v", unit, res.Metrics[unit], v)
		}
	}
	if res, _ := run.Lookup("bench/coro", "BenchmarkStateMachine"); res.Metrics["ns/op"] != 4.51 {
		t.Errorf("BenchmarkStateMachine: %v ns/op, want 4.51", res.Metrics["ns/op"])
	}
	// A package is matched whole: "coro" is not "bench/coro"'s last element plus more.
	if _, ok := run.Lookup("ench/coro", "BenchmarkCoroNext"); ok {
		t.Error(`Lookup("ench/coro") matched bench/coro`)
	}
	if _, ok := run.Lookup("bench/aio", "BenchmarkCoroNext"); ok {
		t.Error("Lookup found a benchmark in another package")
	}
}

func TestParseGoLines(t *testing.T) {
	in := `pkg: example.com/p
BenchmarkNoProcs 	 10	 5 ns/op
BenchmarkLogs-4
    p_test.go:9: some log
BenchmarkFails-4 	--- FAIL: BenchmarkFails-4
BenchmarkSub/case-x-8 	 20	 7.5 ns/op	 3 things/op
ok  	example.com/p	0.1s
`
	run, err := ParseGo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Results) != 2 {
		t.Fatalf("got %d results, want 2: %+v", len(run.Results), run.Results)
	}
	if r := run.Results[0]; r.Name != "BenchmarkNoProcs" || r.Procs != 1 || r.Metrics["ns/op"] != 5 {
		t.Errorf("got %+v", r)
	}
	if r := run.Results[1]; r.Name != "BenchmarkSub/case-x" || r.Procs != 8 || r.Metrics["things/op"] != 3 || r.Pkg != "example.com/p" {
		t.Errorf("got %+v", r)
	}
	for _, bad := range []string{"BenchmarkX-2 10 abc ns/op", "BenchmarkX-2 10 5 ns/op 7"} {
		if _, err := ParseGo(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLookupBest(t *testing.T) {
	in := `pkg: example.com/p
BenchmarkA-2 	 100	 9 ns/op	 3 allocs/op
BenchmarkA-2 	 200	 7 ns/op	 4 allocs/op
BenchmarkA-2 	 100	 8 ns/op	 3 allocs/op
BenchmarkB-2 	 100	 1 ns/op
`
	run, err := ParseGo(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := run.Lookup("example.com/p", "BenchmarkA")
	if a.Metrics["ns/op"] != 7 || a.Metrics["allocs/op"] != 3 || a.N != 400 {
		t.Errorf("best of A's runs: %+v", a)
	}
	if run.Results[0].Metrics["ns/op"] != 9 {
		t.Error("Lookup changed the parsed results")
	}
}

func TestAddPython(t *testing.T) {
	var py PyRun
	if err := py.AddPython([]byte(`{"python": "3.12.1", "results": {"A": {"ns/op": 1.5}}}`)); err != nil {
		t.Fatal(err)
	}
	if err := py.AddPython([]byte(`{"python": "3.12.1", "results": {"B": {"bytes/task": 9}}}`)); err != nil {
		t.Fatal(err)
	}
	if v, ok := py.Lookup("A", "ns/op"); !ok || v != 1.5 || py.Version != "3.12.1" {
		t.Errorf("A = %v, %v; version %q", v, ok, py.Version)
	}
	if _, ok := py.Lookup("B", "ns/op"); ok {
		t.Error("B found in the wrong unit")
	}
	for _, bad := range []string{`CPythonNext 41.2 ns/op`, `{"results": {"A": {"ns/op": 1}}}`, `{"python": "3.11"}`} {
		if err := py.AddPython([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// tableRow returns the page's table row for work.
func tableRow(t *testing.T, md, work string) string {
	t.Helper()
	for line := range strings.Lines(md) {
		if strings.HasPrefix(line, "| "+work+" |") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no table row for %s in\n%s", work, md)
	return ""
}

// cells splits a table row into its cells.
func cells(row string) []string {
	c := strings.Split(strings.Trim(row, "|"), " | ")
	for i := range c {
		c[i] = strings.TrimSpace(c[i])
	}
	return c
}

func TestMarkdown(t *testing.T) {
	md := fixture(t).Markdown()
	for _, want := range []string{
		"| work | asyncgo direct | asyncgo lowered | Go baselines | CPython 3.11.7 |",
		"2026-11-26 11:30 UTC",
		"**Machine**: AMD EPYC, 2 cores, linux/amd64",
		"**Go**: go1.26.8; **CPython**: 3.11.7",
		"**Measured under load**",
		"Go figures are the best of the 3 runs of each benchmark in this run (`-count 3`)",
		"![Each figure as a multiple of CPython's, log scale](benchmarks.svg)",
		"BenchmarkLoweredSummerSend-2   \t     100\t         6.210 ns/op",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// CPython next 131.47 ns: direct 132.4 ns is 0.99x, lowered 17.22 ns 7.6x.
	next := cells(tableRow(t, md, "generator `next`"))
	wantNext := []string{
		"generator `next`",
		"132 ns **0.99×**<br><sub>0 allocs, 6 B</sub>",
		"17.2 ns **7.6×**<br><sub>0 allocs, 0 B</sub>",
		"`iter.Pull`: 71.2 ns **1.8×**<br><sub>0 allocs, 0 B</sub><br>goroutine + channel: 300 ns **0.44×**<br><sub>0 allocs, 1 B</sub>",
		"131 ns",
	}
	if strings.Join(next, "\n") != strings.Join(wantNext, "\n") {
		t.Errorf("generator next row:\n got %q\nwant %q", next, wantNext)
	}
	// Executors: no lowered mode, a note says why; 2.51 µs against 53.5 µs.
	tp := cells(tableRow(t, md, "thread pool submit + result"))
	if !strings.HasPrefix(tp[1], "2.51 µs **21×**") || !regexp.MustCompile(`^—<sup>\d+</sup>$`).MatchString(tp[2]) || tp[4] != "53.5 µs" {
		t.Errorf("thread pool row: %q", tp)
	}
	n := regexp.MustCompile(`\d+`).FindString(tp[2])
	if !strings.Contains(md, "\n"+n+". executors run plain Go functions") {
		t.Errorf("note %s does not say why executors have no lowered mode", n)
	}
	// Memory in bytes, and no allocation line.
	mem := cells(tableRow(t, md, "memory per suspended task"))
	if !strings.HasPrefix(mem[1], "2,770 B **0.51×**") || strings.Contains(mem[1], "alloc") || mem[4] != "1,415 B" {
		t.Errorf("memory row: %q", mem)
	}
	gen := cells(tableRow(t, md, "memory per suspended generator"))
	if want := []string{"memory per suspended generator", "2,966 B **0.06×**", "176 B **1.1×**", "`iter.Pull`: 2,196 B **0.09×**", "192 B"}; strings.Join(gen, "\n") != strings.Join(want, "\n") {
		t.Errorf("generator memory row:\n got %q\nwant %q", gen, want)
	}
	// Peak RSS in MiB, no allocation line; direct mode's is extrapolated
	// from a tenth of the tasks, and a note says so.
	rss := cells(tableRow(t, md, "peak RSS, 1,000,000 tasks asleep"))
	if !regexp.MustCompile(`^3,232 MiB \*\*0\.44×\*\*<sup>\d+</sup>$`).MatchString(rss[1]) || rss[2] != "645 MiB **2.2×**" || rss[4] != "1,419 MiB" {
		t.Errorf("peak RSS row: %q", rss)
	}
	n = regexp.MustCompile(`<sup>(\d+)</sup>`).FindStringSubmatch(rss[1])[1]
	if !strings.Contains(md, "\n"+n+". measured with a tenth of the tasks") {
		t.Errorf("note %s does not say direct mode's peak RSS is extrapolated", n)
	}
	// Awaiting a coroutine: rewritten functions, and the callee's making.
	aw := cells(tableRow(t, md, "await a coroutine"))
	if aw[1] != "531 ns **0.31×**<br><sub>1 alloc, 58 B</sub>" || aw[2] != "799 ns **0.20×**<br><sub>2 allocs, 167 B</sub>" || !strings.HasPrefix(aw[3], "lowered coroutine made, not awaited: 284 ns") || aw[4] != "163 ns" {
		t.Errorf("await row: %q", aw)
	}
	if got := strings.Count(md, "\n| "); got != 1+len(Rows) {
		t.Errorf("%d table lines, want a heading and %d rows", got, len(Rows))
	}
}

func TestMarkdownIdle(t *testing.T) {
	p := fixture(t)
	p.Meta.LoadBefore = 0.1
	if md := p.Markdown(); strings.Contains(md, "under load") || !strings.Contains(md, "otherwise idle") {
		t.Error("an idle machine's page says it was under load")
	}
	p.Meta.LoadBefore = -1
	if md := p.Markdown(); !strings.Contains(md, "**Load**: unknown") {
		t.Error("an unknown load is not said to be unknown")
	}
}

func TestMarkdownNoPython(t *testing.T) {
	p := fixture(t)
	p.Py = PyRun{Problems: []string{"`python3` not found on PATH"}}
	md := p.Markdown()
	if !strings.Contains(md, "| work | asyncgo direct | asyncgo lowered | Go baselines | CPython n/a |") {
		t.Error("the CPython column's heading is not n/a")
	}
	for _, row := range Rows {
		c := cells(tableRow(t, md, row.Work))
		if !strings.HasPrefix(c[4], "n/a<sup>") {
			t.Errorf("%s: CPython cell %q, want n/a", row.Work, c[4])
		}
		if strings.Contains(strings.Join(c, " "), "×") {
			t.Errorf("%s: a ratio without CPython: %q", row.Work, c)
		}
	}
	if !strings.Contains(md, "no CPython figures: `python3` not found on PATH") {
		t.Error("the page does not say why CPython is n/a")
	}
	// The Go figures are still there.
	if c := cells(tableRow(t, md, "generator `next`")); !strings.HasPrefix(c[1], "132 ns<br>") {
		t.Errorf("direct next without CPython: %q", c[1])
	}
	svg := p.SVG()
	checkXML(t, svg)
	if !strings.Contains(svg, "n/a: no CPython figures") || strings.Contains(svg, "<title>generator") {
		t.Errorf("chart without CPython:\n%s", svg)
	}
}

func TestMarkdownMissingGo(t *testing.T) {
	p := fixture(t)
	var kept []GoResult
	var lines []string
	for i, r := range p.Go.Results {
		if r.Name != "BenchmarkLoweredSleep0" {
			kept = append(kept, r)
			lines = append(lines, p.Go.Lines[i])
		}
	}
	p.Go.Results, p.Go.Lines = kept, lines
	md := p.Markdown()
	c := cells(tableRow(t, md, "loop switch, `Sleep(0)`"))
	// The first note, hand-written machines, is on task create + await's
	// last baseline; this is the second.
	if c[2] != "n/a<sup>2</sup>" {
		t.Errorf("missing lowered Sleep0: %q", c[2])
	}
	if !strings.Contains(md, "`BenchmarkLoweredSleep0` in `bench/rewriteaio` is missing from this run's output") {
		t.Error("the page does not say the benchmark is missing")
	}
}

// checkXML fails t unless s is well-formed XML.
func checkXML(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
	}
}

func TestSVG(t *testing.T) {
	svg := fixture(t).SVG()
	checkXML(t, svg)
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="880"`) || !strings.HasSuffix(svg, "</svg>\n") {
		t.Errorf("not an svg document:\n%s", svg)
	}
	// One bar per Go figure with a ratio: 41 figures in 12 rows, less the
	// 5 that cannot exist ("—").
	bars := regexp.MustCompile(`<rect [^>]*><title>([^<]*)</title></rect>`).FindAllStringSubmatch(svg, -1)
	if len(bars) != 36 {
		t.Errorf("%d bars, want 36", len(bars))
	}
	titles := map[string]bool{}
	for _, b := range bars {
		titles[b[1]] = true
	}
	for _, want := range []string{
		"generator next, asyncgo lowered: 7.6× CPython",
		"generator next, iter.Pull: 1.8× CPython",
		"thread pool submit + result, errgroup: 33× CPython",
		"memory per suspended task, asyncgo direct: 0.51× CPython",
		"memory per suspended generator, asyncgo lowered: 1.1× CPython",
		"peak RSS, 1,000,000 tasks asleep, asyncgo lowered: 2.2× CPython",
	} {
		if !titles[want] {
			t.Errorf("no bar %q", want)
		}
	}
	// The scale: whole decades from 0.01x (direct generator memory: 0.06x)
	// to 100x (lowered task create+await: 54x).
	for _, want := range []string{">0.01×</text>", ">1×</text>", ">100×</text>", "1× = CPython", "under load"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	for _, not := range []string{">0.001×</text>", ">1000×</text>"} {
		if strings.Contains(svg, not) {
			t.Errorf("chart's scale goes to %s", not)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{4.51, NsPerOp, "4.51 ns"},
		{79.92, NsPerOp, "79.9 ns"},
		{999.4, NsPerOp, "999 ns"},
		{2510, NsPerOp, "2.51 µs"},
		{473490.6, NsPerOp, "473 µs"},
		{1498641632, NsPerOp, "1499 ms"},
		{2770, BytesTask, "2,770 B"},
		{1234567.4, BytesTask, "1,234,567 B"},
		{569, BytesTask, "569 B"},
		{176, BytesGen, "176 B"},
		{644.9, PeakMiB, "645 MiB"},
		{3232.4, PeakMiB, "3,232 MiB"},
		{12.34, PeakMiB, "12.3 MiB"},
	} {
		if got := formatValue(c.v, c.unit); got != c.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
	for r, want := range map[float64]string{0.513: "0.51×", 1: "1.0×", 7.64: "7.6×", 21.3: "21×", 153.6: "154×"} {
		if got := formatRatio(r); got != want {
			t.Errorf("formatRatio(%v) = %q, want %q", r, got, want)
		}
	}
	if got := plural(1, "alloc") + ", " + plural(0, "alloc"); got != "1 alloc, 0 allocs" {
		t.Errorf("plural: %q", got)
	}
}

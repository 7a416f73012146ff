// Package benchpage turns one run of the repository's Go benchmarks and of
// the CPython scripts beside them into docs/benchmarks.md: a table of
// asyncgo in direct and lowered mode, the Go baselines and CPython, side
// by side, and an SVG chart of the ratios to CPython. bench/cmd/benchpage
// runs the benchmarks and writes the files; this package parses and
// renders.
package benchpage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
)

// GoRun is the parsed output of one `go test -bench` run over several
// packages.
type GoRun struct {
	GOOS, GOARCH, CPU string
	Results           []GoResult
	// Lines are the benchmark result lines as printed.
	Lines []string
}

// GoResult is one benchmark's result line.
type GoResult struct {
	Pkg   string // import path, from the preceding "pkg:" line
	Name  string // "BenchmarkCoroNext", without the -GOMAXPROCS suffix
	Procs int    // the GOMAXPROCS suffix; 1 when absent
	N     int    // iterations (summed over the runs, from Lookup)
	// Metrics maps a unit ("ns/op", "B/op", "allocs/op", "bytes/task") to
	// its value.
	Metrics map[string]float64
}

// ParseGo reads go test's benchmark output: the goos, goarch, cpu and pkg
// header lines and the result lines
//
//	BenchmarkName-8   N   V1 unit1   V2 unit2 ...
//
// Other lines (PASS, ok, logs) are skipped. A result line that does not
// parse is an error.
func ParseGo(r io.Reader) (*GoRun, error) {
	run := &GoRun{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, "Benchmark") {
			switch k {
			case "goos":
				run.GOOS = v
			case "goarch":
				run.GOARCH = v
			case "cpu":
				run.CPU = v
			case "pkg":
				pkg = v
			}
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue // a benchmark's name printed before its log output
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue // "BenchmarkX --- FAIL" and the like
		}
		res, err := parseResult(fields)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", line, err)
		}
		res.Pkg = pkg
		run.Results = append(run.Results, res)
		run.Lines = append(run.Lines, line)
	}
	return run, sc.Err()
}

// parseResult parses the fields of a result line.
func parseResult(fields []string) (GoResult, error) {
	res := GoResult{Name: fields[0], Procs: 1, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(res.Name, '-'); i > 0 {
		if p, err := strconv.Atoi(res.Name[i+1:]); err == nil {
			res.Name, res.Procs = res.Name[:i], p
		}
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil {
		return res, fmt.Errorf("iterations: %v", err)
	}
	res.N = n
	rest := fields[2:]
	if len(rest)%2 != 0 {
		return res, fmt.Errorf("a value without a unit")
	}
	for i := 0; i < len(rest); i += 2 {
		v, err := strconv.ParseFloat(rest[i], 64)
		if err != nil {
			return res, fmt.Errorf("value %q: %v", rest[i], err)
		}
		res.Metrics[rest[i+1]] = v
	}
	return res, nil
}

// Lookup returns the result of benchmark name in the package whose import
// path is pkg or ends in "/"+pkg. A benchmark run several times (go test
// -count) gets the best of its runs: each metric's least value.
func (r *GoRun) Lookup(pkg, name string) (GoResult, bool) {
	if r == nil {
		return GoResult{}, false
	}
	var best GoResult
	found := false
	for _, res := range r.Results {
		if res.Name != name || (res.Pkg != pkg && !strings.HasSuffix(res.Pkg, "/"+pkg)) {
			continue
		}
		if !found {
			best, found = res, true
			best.Metrics = maps.Clone(res.Metrics)
			continue
		}
		best.N += res.N
		for unit, v := range res.Metrics {
			if old, ok := best.Metrics[unit]; !ok || v < old {
				best.Metrics[unit] = v
			}
		}
	}
	return best, found
}

// PyRun is what the CPython scripts reported.
type PyRun struct {
	Version string
	// Results maps a figure's name to its unit and value.
	Results map[string]map[string]float64
	// Problems says why figures are missing: python3 not found, a script
	// that failed.
	Problems []string
}

// pyOutput is what a script prints with --json.
type pyOutput struct {
	Python  string                        `json:"python"`
	Results map[string]map[string]float64 `json:"results"`
}

// AddPython merges a script's --json output into p.
func (p *PyRun) AddPython(data []byte) error {
	var out pyOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("CPython's figures: %v", err)
	}
	if out.Python == "" || len(out.Results) == 0 {
		return fmt.Errorf("CPython's figures: no version or no results")
	}
	p.Version = out.Python
	if p.Results == nil {
		p.Results = map[string]map[string]float64{}
	}
	for name, units := range out.Results {
		p.Results[name] = units
	}
	return nil
}

// Lookup returns the value of figure name in unit.
func (p *PyRun) Lookup(name, unit string) (float64, bool) {
	v, ok := p.Results[name][unit]
	return v, ok
}

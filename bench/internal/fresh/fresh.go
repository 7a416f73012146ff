// Package fresh has a benchmark report a memory figure measured in a new
// process of the test binary, where the benchmark runs alone and once.
//
// Go keeps the descriptors of goroutines that have ended and reuses them
// for new ones, so a benchmark that starts thousands of goroutines after
// another one did (or after its own earlier b.N round) measures less
// memory per goroutine than a program that starts them for the first time.
// A figure measured in a new process has no such history.
package fresh

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// env marks the new process: there the benchmark reports what it measured.
const env = "ASYNCGO_BENCH_FRESH"

// figures caches the new processes' figures by benchmark and unit: b.N
// rounds of one benchmark share one.
var figures = map[string]float64{}

// Metric returns the figure in unit that benchmark b reports when it runs
// alone with -benchtime 1x in a new process of the test binary. Inside
// that process it returns measured, the figure b measured itself. Call it
// with b's timer running: it stops the timer while the new process runs.
func Metric(b *testing.B, unit string, measured float64) float64 {
	b.Helper()
	return Metrics(b, map[string]float64{unit: measured})[unit]
}

// Metrics is Metric for several figures that one new process measures at
// once (each unit of measured). Inside that process it returns measured.
func Metrics(b *testing.B, measured map[string]float64) map[string]float64 {
	b.Helper()
	if Child() {
		return measured
	}
	b.StopTimer()
	defer b.StartTimer()
	got := map[string]float64{}
	var missing []string
	for unit := range measured {
		if v, ok := figures[b.Name()+" "+unit]; ok {
			got[unit] = v
		} else {
			missing = append(missing, unit)
		}
	}
	if len(missing) == 0 {
		return got
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^"+regexp.QuoteMeta(b.Name())+"$", "-test.benchtime=1x")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("%s in a new process: %v\n%s", b.Name(), err, out)
	}
	for _, unit := range missing {
		v, err := Parse(out, unit)
		if err != nil {
			b.Fatalf("%s in a new process: %v\n%s", b.Name(), err, out)
		}
		figures[b.Name()+" "+unit] = v
		got[unit] = v
	}
	return got
}

// Child reports whether this process is the new process of Metric: there
// a benchmark measures what it reports; elsewhere it may skip that work,
// which the new process does instead.
func Child() bool { return os.Getenv(env) != "" }

// Parse finds the figure in unit on a benchmark result line of out
// ("BenchmarkX-2  N  V1 unit1  V2 unit2 ...").
func Parse(out []byte, unit string) (float64, error) {
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		for i := 2; i+1 < len(f); i += 2 {
			if f[i+1] == unit {
				return strconv.ParseFloat(f[i], 64)
			}
		}
	}
	return 0, fmt.Errorf("no %s on a benchmark line", unit)
}

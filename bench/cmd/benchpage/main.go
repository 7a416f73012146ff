// Command benchpage runs the Go benchmarks in bench/ and the CPython
// scripts beside them once, and writes docs/benchmarks.md and its chart,
// docs/benchmarks.svg, from the results. `make bench` runs it from the
// module's root:
//
//	go run ./bench/cmd/benchpage [-benchtime 1s] [-count 3] [-sleepers 1000000] [-o docs/benchmarks.md]
//
// Each Go figure is the best of -count runs of its benchmark, as the
// CPython scripts report the best of their repeats. -sleepers is how many
// tasks bench/rewriteaio's Sleepers benchmarks and sleepers.py hold
// asleep at once (ASYNCGO_SLEEPERS) for the peak RSS row.
// The benchmarks' output goes to stderr as they run. A Go benchmark that
// fails fails the command; a missing python3 or a failing CPython script
// leaves "n/a" in the CPython column and says why on the page.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/internal/benchpage"
)

func main() {
	out := flag.String("o", "docs/benchmarks.md", "the page to write")
	svg := flag.String("svg", "", "the chart to write (default: the page's name with .svg)")
	benchtime := flag.String("benchtime", "", "go test -benchtime (default: go test's)")
	bench := flag.String("bench", ".", "go test -bench")
	count := flag.Int("count", 3, "go test -count: each Go figure is the best of this many runs")
	pkgs := flag.String("pkgs", "./bench/...", "the packages to benchmark")
	goBin := flag.String("go", "go", "the go command")
	python := flag.String("python", "python3", "the python command")
	sleepers := flag.Int("sleepers", benchpage.Sleepers, "how many tasks the peak RSS row holds asleep")
	flag.Parse()
	// The Go benchmarks and the CPython scripts both read it.
	os.Setenv(benchpage.SleepersEnv, strconv.Itoa(*sleepers))
	if *svg == "" {
		*svg = strings.TrimSuffix(*out, filepath.Ext(*out)) + ".svg"
	}
	if err := run(*out, *svg, *benchtime, *bench, *count, *pkgs, *goBin, *python); err != nil {
		fmt.Fprintln(os.Stderr, "benchpage:", err)
		os.Exit(1)
	}
}

func run(out, svg, benchtime, bench string, count int, pkgs, goBin, python string) error {
	meta := benchpage.Meta{Date: time.Now(), Cores: runtime.NumCPU(), LoadBefore: load(), LoadAfter: -1, Count: count}
	v, err := exec.Command(goBin, "env", "GOVERSION").Output()
	if err != nil {
		return fmt.Errorf("go env GOVERSION: %v", err)
	}
	meta.GoVersion = strings.TrimSpace(string(v))

	args := []string{"test", "-run", "^$", "-bench", bench, "-benchmem", "-count", strconv.Itoa(count)}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, pkgs)
	meta.GoCommand = envPrefix() + goBin + " " + shellJoin(args)
	fmt.Fprintln(os.Stderr, "benchpage:", meta.GoCommand)
	var goOut bytes.Buffer
	cmd := exec.Command(goBin, args...)
	cmd.Stdout = io.MultiWriter(&goOut, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v", meta.GoCommand, err)
	}
	goRun, err := benchpage.ParseGo(&goOut)
	if err != nil {
		return err
	}
	meta.CPU, meta.GOOS, meta.GOARCH = goRun.CPU, goRun.GOOS, goRun.GOARCH
	if meta.CPU == "" {
		meta.CPU = cpuModel()
	}

	py := runPython(python, &meta)
	meta.LoadAfter = load()

	page := &benchpage.Page{Meta: meta, Go: goRun, Py: py, Rows: benchpage.Rows}
	if rel, err := filepath.Rel(filepath.Dir(out), svg); err == nil {
		page.SVGName = filepath.ToSlash(rel)
	}
	for _, f := range []string{out, svg} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(out, []byte(page.Markdown()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(svg, []byte(page.SVG()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchpage: wrote %s and %s\n", out, svg)
	return nil
}

// runPython runs every CPython script with --json and gathers their
// figures; what fails is recorded as a problem, not returned.
func runPython(python string, meta *benchpage.Meta) benchpage.PyRun {
	var py benchpage.PyRun
	var cmds []string
	for _, s := range benchpage.Scripts {
		cmd := python + " " + s + " --json"
		if s == benchpage.SleepersPy {
			cmd = envPrefix() + cmd
		}
		cmds = append(cmds, cmd)
	}
	meta.PyCommand = strings.Join(cmds, "\n")
	if _, err := exec.LookPath(python); err != nil {
		py.Problems = append(py.Problems, fmt.Sprintf("`%s` not found on PATH", python))
		fmt.Fprintf(os.Stderr, "benchpage: %s not found: CPython's figures will be n/a\n", python)
		return py
	}
	for i, s := range benchpage.Scripts {
		fmt.Fprintln(os.Stderr, "benchpage:", cmds[i])
		cmd := exec.Command(python, s, "--json")
		cmd.Stderr = os.Stderr
		data, err := cmd.Output()
		if err == nil {
			err = py.AddPython(data)
		}
		if err != nil {
			py.Problems = append(py.Problems, fmt.Sprintf("`%s`: %v", cmds[i], err))
			fmt.Fprintf(os.Stderr, "benchpage: %s: %v\n", cmds[i], err)
			continue
		}
		os.Stderr.Write(data)
	}
	return py
}

// envPrefix shows the ASYNCGO_SLEEPERS the commands run with.
func envPrefix() string {
	return benchpage.SleepersEnv + "=" + os.Getenv(benchpage.SleepersEnv) + " "
}

// load is the 1-minute load average, or -1 where /proc/loadavg is missing.
func load() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// cpuModel is the CPU's model name from /proc/cpuinfo, or "".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// shellJoin quotes the arguments that need it for a shell.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " ^$*?'\"\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}

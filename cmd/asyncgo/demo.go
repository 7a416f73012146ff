package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/asyncgo/asyncgo/analyzer/suite"
	"github.com/asyncgo/asyncgo/rewrite"
)

func init() {
	register(&cli.Command{
		Name:  "demo",
		Usage: "rewrite, build, lint and run the example programs, checking their output",
		Description: `demo lowers the annotated generators of every example under the
examples directory (each a main package) with the rewriter, into a build
overlay that leaves the tree untouched; builds each example twice, from the
sources as written (direct mode) and lowered; lints them with asyncgo's
analyzers; runs both builds and checks that they print the same, and what
testdata/want.txt holds, when there is one. An example whose output depends
on the real clock (the spinners: how many frames they draw) has
testdata/want.re, a regular expression (Go syntax) that the whole output of
each build must match; the two outputs may then differ, and a want.txt
beside it is left to the example's own test (on a virtual clock). It is what
'make demo' runs.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "examples", Usage: "directory holding the examples"},
			&cli.DurationFlag{Name: "timeout", Value: 2 * time.Minute, Usage: "time limit for each example"},
		},
		Action: func(c *cli.Context) error {
			return demo(c.Context, c.App.Writer, c.String("dir"), c.Duration("timeout"))
		},
	})
}

// example is a main package under the examples directory.
type example struct {
	name string // directory name
	dir  string // path to it
}

func findExamples(root string) ([]example, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var exs []example
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if e.IsDir() && fileExists(filepath.Join(dir, "main.go")) {
			exs = append(exs, example{e.Name(), dir})
		}
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("no examples (directories with a main.go) in %s", root)
	}
	return exs, nil
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

func demo(ctx context.Context, w io.Writer, root string, timeout time.Duration) error {
	exs, err := findExamples(root)
	if err != nil {
		return cli.Exit(err.Error(), 2)
	}
	bin, err := os.MkdirTemp("", "asyncgo-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)

	// Rewrite: lower the annotated generators of every example. The output
	// goes to an overlay, not into the tree, and both modes are built.
	fmt.Fprintf(w, "== rewrite %s\n", root)
	overlay, lowered, err := rewriteExamples(w, exs, bin)
	if err != nil {
		fmt.Fprintf(w, "-- FAIL rewrite:\n%v\n", err)
		return cli.Exit("demo: rewriting the examples failed", 1)
	}

	// Build every example in one go command per mode: faster than one go
	// run each. The direct build reads the sources as written.
	pkgs := make([]string, len(exs))
	for i, ex := range exs {
		pkgs[i] = "./" + filepath.ToSlash(ex.dir)
	}
	fmt.Fprintf(w, "\n== build %d examples\n", len(exs))
	if err := goBuild(ctx, w, filepath.Join(bin, "direct"), pkgs, "-tags", rewrite.DirectTag); err != nil {
		return cli.Exit("demo: building the examples failed", 1)
	}
	if len(lowered) > 0 {
		if err := goBuild(ctx, w, filepath.Join(bin, "lowered"), pkgs, "-overlay", overlay); err != nil {
			return cli.Exit("demo: building the lowered examples failed", 1)
		}
	}

	// Lint the examples: some are there to show what the analyzers catch,
	// so findings are shown, not counted as failures.
	fmt.Fprintf(w, "\n== lint %s\n", root)
	switch err := lint(w, w, suite.Analyzers(), lintOptions{context: -1}, pkgs); exitCode(err) {
	case 0:
		fmt.Fprintln(w, "-- no findings")
	case 1:
		fmt.Fprintln(w, "-- findings above")
	default:
		fmt.Fprintf(w, "-- FAIL lint: %v\n", err)
		return cli.Exit("demo: linting the examples failed", 1)
	}

	var failed []string
	for _, ex := range exs {
		modes := []string{"direct"}
		if lowered[ex.name] {
			modes = append(modes, "lowered")
		}
		ok := true
		var first []byte
		for _, mode := range modes {
			name := ex.name
			if len(modes) > 1 {
				name += " (" + mode + ")"
			}
			fmt.Fprintf(w, "\n== run %s\n", name)
			out, err := runExample(ctx, filepath.Join(bin, mode, ex.name), timeout)
			w.Write(out)
			if err != nil {
				fmt.Fprintf(w, "-- FAIL %s: %v\n", name, err)
				ok = false
				continue
			}
			if first == nil {
				first = out
			} else if !realClock(ex.dir) && !bytes.Equal(out, first) {
				fmt.Fprintf(w, "-- FAIL %s: lowered output differs from direct\n", name)
				ok = false
				continue
			}
			if !checkOutput(w, name, ex.dir, out) {
				ok = false
			}
		}
		if !ok {
			failed = append(failed, ex.name)
		}
	}
	fmt.Fprintf(w, "\n%d examples, %d failed\n", len(exs), len(failed))
	if len(failed) > 0 {
		slices.Sort(failed)
		return cli.Exit(fmt.Sprintf("demo: failed: %v", failed), 1)
	}
	return nil
}

// realClock reports whether an example's output depends on the real clock:
// it has a testdata/want.re.
func realClock(dir string) bool {
	return fileExists(filepath.Join(dir, "testdata", "want.re"))
}

// checkOutput matches an example's output against the regular expression
// in its testdata/want.re, or else compares it with its testdata/want.txt,
// reports the outcome on w and returns whether the output is right. An
// example with neither file passes.
func checkOutput(w io.Writer, name, dir string, out []byte) bool {
	want, err := os.ReadFile(filepath.Join(dir, "testdata", "want.txt"))
	if err == nil && !realClock(dir) {
		if !bytes.Equal(out, want) {
			fmt.Fprintf(w, "-- FAIL %s: output differs from testdata/want.txt\n", name)
			return false
		}
		fmt.Fprintf(w, "-- ok %s: output matches testdata/want.txt\n", name)
		return true
	}
	reFile := filepath.Join(dir, "testdata", "want.re")
	src, err := os.ReadFile(reFile)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(w, "-- ok %s (no testdata/want.txt or want.re to compare with)\n", name)
		return true
	}
	if err != nil {
		fmt.Fprintf(w, "-- FAIL %s: %v\n", name, err)
		return false
	}
	re, err := regexp.Compile(strings.TrimSuffix(string(src), "\n"))
	if err != nil {
		fmt.Fprintf(w, "-- FAIL %s: %s: %v\n", name, reFile, err)
		return false
	}
	if !re.Match(out) {
		fmt.Fprintf(w, "-- FAIL %s: output does not match testdata/want.re\n", name)
		return false
	}
	fmt.Fprintf(w, "-- ok %s: output matches testdata/want.re\n", name)
	return true
}

// rewriteExamples lowers the examples' annotated functions into files
// under dir and returns the go build overlay that substitutes them, and
// which examples have lowered code.
func rewriteExamples(w io.Writer, exs []example, dir string) (overlay string, lowered map[string]bool, err error) {
	lowered = map[string]bool{}
	var all []rewrite.File
	var errs []error
	for _, ex := range exs {
		files, err := rewrite.Package(ex.dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, files...)
		var generated []string
		for _, f := range files {
			if rewrite.IsGenerated(f.Path) {
				generated = append(generated, filepath.Base(f.Path))
			}
		}
		if len(generated) > 0 {
			lowered[ex.name] = true
			fmt.Fprintf(w, "-- %s: lowered into %s\n", ex.name, strings.Join(generated, ", "))
		}
	}
	if len(errs) > 0 {
		return "", nil, errors.Join(errs...)
	}
	if len(lowered) == 0 {
		fmt.Fprintln(w, "-- nothing to lower")
	}
	overlay, err = rewrite.WriteOverlay(dir, all)
	return overlay, lowered, err
}

// goBuild builds pkgs into the directory out.
func goBuild(ctx context.Context, w io.Writer, out string, pkgs []string, flags ...string) error {
	args := append([]string{"build", "-o", out + string(filepath.Separator)}, flags...)
	build := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
	build.Stdout, build.Stderr = w, w
	return build.Run()
}

func runExample(ctx context.Context, bin string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return out, fmt.Errorf("timed out after %v", timeout)
	}
	if err != nil {
		return out, fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	return out, nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

func init() {
	register(&cli.Command{
		Name:  "demo",
		Usage: "build, lint and run the example programs, checking their output",
		Description: `demo builds every example under the examples directory (each a main
package), lints them with asyncgo's analyzers, runs each and compares what it
prints with its testdata/want.txt, when it has one. It is what 'make demo' runs.`,
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

	// Build every example in one go command: faster than one go run each.
	pkgs := make([]string, len(exs))
	for i, ex := range exs {
		pkgs[i] = "./" + filepath.ToSlash(ex.dir)
	}
	fmt.Fprintf(w, "== build %d examples\n", len(exs))
	build := exec.CommandContext(ctx, "go", append([]string{"build", "-o", bin + string(filepath.Separator)}, pkgs...)...)
	build.Stdout, build.Stderr = w, w
	if err := build.Run(); err != nil {
		return cli.Exit("demo: building the examples failed", 1)
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
		fmt.Fprintf(w, "\n== run %s\n", ex.name)
		out, err := runExample(ctx, filepath.Join(bin, ex.name), timeout)
		w.Write(out)
		if err != nil {
			fmt.Fprintf(w, "-- FAIL %s: %v\n", ex.name, err)
			failed = append(failed, ex.name)
			continue
		}
		want, err := os.ReadFile(filepath.Join(ex.dir, "testdata", "want.txt"))
		switch {
		case err != nil:
			fmt.Fprintf(w, "-- ok %s (no testdata/want.txt to compare with)\n", ex.name)
		case !bytes.Equal(out, want):
			fmt.Fprintf(w, "-- FAIL %s: output differs from testdata/want.txt\n", ex.name)
			failed = append(failed, ex.name)
		default:
			fmt.Fprintf(w, "-- ok %s: output matches testdata/want.txt\n", ex.name)
		}
	}
	fmt.Fprintf(w, "\n%d examples, %d failed\n", len(exs), len(failed))
	if len(failed) > 0 {
		slices.Sort(failed)
		return cli.Exit(fmt.Sprintf("demo: failed: %v", failed), 1)
	}
	return nil
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

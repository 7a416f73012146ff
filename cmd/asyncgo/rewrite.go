package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/asyncgo/asyncgo/rewrite"
)

func init() {
	register(&cli.Command{
		Name:      "rewrite",
		Usage:     "lower //asyncgo:generator, //asyncgo:async and //asyncgo:parallel code",
		ArgsUsage: "[path ...]",
		Description: `rewrite lowers the annotated code of the packages under each path (a
directory tree, or a .go file's package; default .):

  //asyncgo:generator  generator functions, into stackless state machines
                       (coro.Machine) behind the same *coro.Generator;
  //asyncgo:async      async functions (return aio.Async(func(t *aio.Task)
                       ...)), into state machines (aio.Machine) behind the
                       same *aio.Coroutine: every aio call that suspends is
                       a resume point, and awaiting a lowered coroutine
                       runs it inline in the task;
  //asyncgo:parallel   on a function (return futures.Parallel(...)), calls
                       that submit its arguments to the parallel executor
                       and return a *futures.Future; on the line before a
                       for ... range loop, the body's first statement (the
                       work) runs on that executor for many iterations at
                       once, the rest of the body in iteration order on
                       the caller's goroutine.

For each source file foo.go holding annotated code it produces foo_asyncgo.go
(built by default, constrained to !asyncgo_direct) and adds
//go:build asyncgo_direct to foo.go, so that -tags asyncgo_direct builds the
sources unchanged, with the same observable behaviour. What cannot be
lowered is a positioned error. See docs/rewrite.md and docs/parallel.md.

Like gofmt: without flags the generated files are printed; -l lists the files
that would change, -d prints diffs (to apply with patch -p0), -w writes them
(atomically, never outside the trees given, never through symbolic links).
When a file holds no annotation any more, its generated file is removed and
the asyncgo_direct constraint taken out of it (-l lists both, -d shows it).
A file named like a generated file that asyncgo rewrite did not generate is
never overwritten or removed. On any error nothing is written, the
positioned errors are printed once each and the exit status is 2.

Use it from go generate:  //go:generate asyncgo rewrite -w .`,
		// A bad flag: the usage goes to stderr, as gofmt's does, and the
		// exit status is 2.
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			fmt.Fprintf(c.App.ErrWriter, "Incorrect Usage: %v\n\n", err)
			cli.HelpPrinter(c.App.ErrWriter, cli.CommandHelpTemplate, c.Command)
			return cli.Exit(err.Error(), 2)
		},
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "l", Usage: "list the files whose contents would change"},
			&cli.BoolFlag{Name: "d", Usage: "print diffs instead of the generated files"},
			&cli.BoolFlag{Name: "w", Usage: "write the files instead of printing them"},
		},
		Action: func(c *cli.Context) error {
			opts := rewriteOptions{list: c.Bool("l"), diff: c.Bool("d"), write: c.Bool("w")}
			paths := c.Args().Slice()
			if len(paths) == 0 {
				paths = []string{"."}
			}
			return runRewrite(c.App.Writer, c.App.ErrWriter, opts, paths)
		},
	})
}

type rewriteOptions struct{ list, diff, write bool }

func runRewrite(stdout, stderr io.Writer, opts rewriteOptions, paths []string) error {
	var files []rewrite.File
	failed := false
	for _, root := range paths {
		fs, err := rewriteTree(root)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed = true
			continue
		}
		files = append(files, fs...)
	}
	if failed {
		return cli.Exit("", 2)
	}
	if opts.write {
		if err := writeAll(files); err != nil {
			fmt.Fprintln(stderr, err)
			return cli.Exit("", 2)
		}
	}
	for _, f := range files {
		if !f.Changed() {
			continue
		}
		if opts.list {
			fmt.Fprintln(stdout, f.Path)
		}
		if opts.diff {
			io.WriteString(stdout, fileDiff(f))
		}
		if !opts.list && !opts.diff && !opts.write && !f.Remove && rewrite.IsGenerated(f.Path) {
			stdout.Write(f.New)
		}
	}
	return nil
}

// fileDiff is the unified diff that patch -p0 applies to go from f.Old to
// f.New: a new file is diffed against /dev/null, a removed one to it.
func fileDiff(f rewrite.File) string {
	if f.Remove {
		return unifiedDiff(f.Path, "/dev/null", f.Old, nil)
	}
	old := f.Path
	if f.Old == nil {
		old = "/dev/null"
	}
	return unifiedDiff(old, f.Path, f.Old, f.New)
}

// rewriteTree rewrites every package under root (a directory, or a file
// standing for its directory), skipping testdata, vendor, hidden
// directories and symbolic links, as the go command does.
func rewriteTree(root string) ([]rewrite.File, error) {
	fi, err := os.Lstat(root)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s: is a symbolic link; give the directory it points to", root)
	}
	if !fi.IsDir() {
		root = filepath.Dir(root)
	}
	var out []rewrite.File
	var errs []error
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root {
			n := d.Name()
			if n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				return filepath.SkipDir
			}
		}
		files, err := rewrite.Package(p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		for _, f := range files {
			if !within(root, f.Path) {
				return fmt.Errorf("%s: outside %s", f.Path, root)
			}
		}
		out = append(out, files...)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// within reports whether path lies inside the tree at root.
func within(root, path string) bool {
	r, err1 := filepath.Abs(root)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(r, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writeAll writes the changed files: each to a temporary file in its
// directory, renamed over the destination only once all are written; then
// it removes the stale generated files. Before anything is written, every
// destination is checked: a symbolic link, a file that is not regular, or
// a file to remove that the rewriter did not generate stops it.
func writeAll(files []rewrite.File) error {
	for _, f := range files {
		if !f.Changed() {
			continue
		}
		fi, err := os.Lstat(f.Path)
		switch {
		case err != nil && f.Remove:
			return err
		case err != nil:
			continue // a new file
		case fi.Mode()&fs.ModeSymlink != 0 || !fi.Mode().IsRegular():
			return fmt.Errorf("%s: not a regular file; not writing through it", f.Path)
		}
		if f.Remove {
			b, err := os.ReadFile(f.Path)
			if err != nil {
				return err
			}
			if rewrite.GeneratedFrom(b) == "" || !bytes.Equal(b, f.Old) {
				return fmt.Errorf("%s:1:1: changed since it was read, or not generated by asyncgo rewrite; not removing it", f.Path)
			}
		}
	}
	type pending struct{ tmp, dst string }
	var done []pending
	cleanup := func() {
		for _, p := range done {
			os.Remove(p.tmp)
		}
	}
	for _, f := range files {
		if !f.Changed() || f.Remove {
			continue
		}
		mode := fs.FileMode(0o644)
		if fi, err := os.Lstat(f.Path); err == nil {
			mode = fi.Mode().Perm()
		}
		tmp, err := os.CreateTemp(filepath.Dir(f.Path), "."+filepath.Base(f.Path)+".tmp*")
		if err != nil {
			cleanup()
			return err
		}
		done = append(done, pending{tmp.Name(), f.Path})
		_, err = tmp.Write(f.New)
		if err2 := tmp.Close(); err == nil {
			err = err2
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), mode)
		}
		if err != nil {
			cleanup()
			return err
		}
	}
	for i, p := range done {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range done[i:] {
				os.Remove(q.tmp)
			}
			return err
		}
	}
	for _, f := range files {
		if f.Remove {
			if err := os.Remove(f.Path); err != nil {
				return err
			}
		}
	}
	return nil
}

// unifiedDiff returns a unified diff from a (named oldName) to b (named
// newName), line based with three lines of context, or "" if they are
// equal. An empty range starts at the line before it (@@ -0,0 +1,N @@ for
// a new file), and a last line without a newline is marked, as diff -u
// does, so that patch applies it exactly.
func unifiedDiff(oldName, newName string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	// Longest common subsequence, from the end.
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte
		line string
		i, j int
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, op{' ', x[i], i, j})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', x[i], i, j})
			i++
		default:
			ops = append(ops, op{'+', y[j], i, j})
			j++
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "--- %s\n+++ %s\n", oldName, newName)
	const ctx = 3
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := max(0, k-ctx)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(run, end+ctx)
				break
			}
			end = run
		}
		oi, oj, on, om := ops[start].i, ops[start].j, 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				on++
			}
			if o.kind != '-' {
				om++
			}
		}
		// An empty range is numbered by the line before it.
		if on > 0 {
			oi++
		}
		if om > 0 {
			oj++
		}
		fmt.Fprintf(&s, "@@ -%s +%s @@\n", hunkRange(oi, on), hunkRange(oj, om))
		for _, o := range ops[start:end] {
			s.WriteByte(o.kind)
			s.WriteString(o.line)
			if !strings.HasSuffix(o.line, "\n") {
				s.WriteString("\n\\ No newline at end of file\n")
			}
		}
		k = end
	}
	return s.String()
}

// hunkRange prints a hunk's start and length as diff -u does.
func hunkRange(start, n int) string {
	if n == 1 {
		return strconv.Itoa(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits b into lines, each with its newline (the last one may
// lack it).
func splitLines(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n') + 1
		if i == 0 {
			i = len(b)
		}
		lines = append(lines, string(b[:i]))
		b = b[i:]
	}
	return lines
}

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	binDir   string // where TestMain lets the tests build the command
	binOnce  sync.Once
	binPath  string
	binError error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "asyncgo-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// asyncgoBinary builds the asyncgo command once for the tests that run it.
func asyncgoBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(binDir, "asyncgo")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binError = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if binError != nil {
		t.Fatalf("building asyncgo: %v", binError)
	}
	return binPath
}

// run runs the built asyncgo with args in dir and returns its standard
// output, standard error and exit status.
func run(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(asyncgoBinary(t), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running asyncgo %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// A usage error prints one error line, then the short usage, on standard
// error only, and exits 2.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir() // no module: none of these gets as far as loading one
	for _, tc := range []struct {
		args      []string
		firstLine string
		usage     string // the first line of the usage that follows
	}{
		{[]string{"bogus"}, `asyncgo: unknown command "bogus"`, "usage: asyncgo <command> [arguments]"},
		{[]string{"bogus", "lint"}, `asyncgo: unknown command "bogus"`, "usage: asyncgo <command> [arguments]"},
		{[]string{"help", "bogus"}, `asyncgo: unknown command "bogus"`, "usage: asyncgo <command> [arguments]"},
		{[]string{"help", "lint", "demo"}, "asyncgo help: help takes at most one command, got 2 arguments", "usage: asyncgo help"},
		{nil, "asyncgo: no command given", "usage: asyncgo <command> [arguments]"},
		{[]string{"--bogus"}, "asyncgo: flag provided but not defined: -bogus", "usage: asyncgo <command> [arguments]"},
		{[]string{"lint", "--bogus"}, "asyncgo lint: flag provided but not defined: -bogus", "usage: asyncgo lint [command options] [packages]"},
		{[]string{"lint", "-c", "x"}, `asyncgo lint: invalid value "x" for flag -c: parse error`, "usage: asyncgo lint [command options] [packages]"},
		{[]string{"rewrite", "-bogus", "."}, "asyncgo rewrite: flag provided but not defined: -bogus", "usage: asyncgo rewrite [command options] [path ...]"},
		{[]string{"demo", "--bogus"}, "asyncgo demo: flag provided but not defined: -bogus", "usage: asyncgo demo [command options]"},
		{[]string{"demo", "--timeout", "soon"}, `asyncgo demo: invalid value "soon" for flag -timeout: parse error`, "usage: asyncgo demo [command options]"},
		{[]string{"demo", "examples"}, `asyncgo demo: unexpected argument "examples"`, "usage: asyncgo demo [command options]"},
	} {
		stdout, stderr, code := run(t, dir, tc.args...)
		name := strings.Join(append([]string{"asyncgo"}, tc.args...), " ")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2\nstderr:\n%s", name, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: wrote to standard output:\n%s", name, stdout)
		}
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if len(lines) < 3 || lines[0] != tc.firstLine || !strings.HasPrefix(lines[1], tc.usage) {
			t.Errorf("%s: stderr does not start with %q then %q:\n%s", name, tc.firstLine, tc.usage, stderr)
			continue
		}
		if !strings.HasPrefix(lines[len(lines)-1], "Run 'asyncgo help") {
			t.Errorf("%s: stderr does not end with where to read more:\n%s", name, stderr)
		}
		// Once: the error is not repeated, the usage not printed twice,
		// and urfave/cli's own messages do not show.
		for _, s := range []string{tc.firstLine, "usage:", "Run 'asyncgo help"} {
			if n := strings.Count(stderr, s); n != 1 {
				t.Errorf("%s: %q appears %d times on stderr:\n%s", name, s, n, stderr)
			}
		}
		for _, s := range []string{"Incorrect Usage", "No help topic", "DESCRIPTION:"} {
			if strings.Contains(stderr, s) {
				t.Errorf("%s: stderr has %q:\n%s", name, s, stderr)
			}
		}
	}
}

// Help asked for goes to standard output with status 0.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "asyncgo - Python's generators"},
		{[]string{"-h"}, "asyncgo - Python's generators"},
		{[]string{"--help"}, "asyncgo - Python's generators"},
		{[]string{"help", "lint"}, "asyncgo lint - " + lintUsage},
		{[]string{"h", "demo"}, "asyncgo demo - rewrite, build, lint and run"},
		{[]string{"lint", "-h"}, "asyncgo lint - " + lintUsage},
		{[]string{"rewrite", "--help"}, "asyncgo rewrite - lower"},
		{[]string{"demo", "-h"}, "asyncgo demo - rewrite, build, lint and run"},
	} {
		stdout, stderr, code := run(t, dir, tc.args...)
		name := strings.Join(append([]string{"asyncgo"}, tc.args...), " ")
		if code != 0 || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q; want 0 and nothing", name, code, stderr)
		}
		if !strings.Contains(stdout, tc.want) {
			t.Errorf("%s: stdout lacks %q:\n%s", name, tc.want, stdout)
		}
	}
}

// The commands' own errors keep their exit codes when run as a binary:
// lint's 1 for findings and 2 for packages that do not load.
func TestCommandExitCodes(t *testing.T) {
	writeModule(t, map[string]string{"p/p.go": doubleLock, "bad/bad.go": "package bad\n\nfunc F() { undefined() }\n"})
	dir, _ := os.Getwd()
	_, stderr, code := run(t, dir, "lint", "./p")
	if code != 1 || !strings.Contains(stderr, "p.go:13:11: t.mu is locked again") {
		t.Errorf("lint ./p: exit %d, want 1 and the finding:\n%s", code, stderr)
	}
	_, stderr, code = run(t, dir, "lint", "./bad")
	if code != 2 || !strings.Contains(stderr, "bad.go:3:12: undefined: undefined") || strings.Contains(stderr, "usage:") {
		t.Errorf("lint ./bad: exit %d, want 2 and the positioned error without usage:\n%s", code, stderr)
	}
}

package golangci

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golangci/plugin-module-register/register"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

func names(t *testing.T, p register.LinterPlugin) string {
	t.Helper()
	as, err := p.BuildAnalyzers()
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, a := range as {
		ns = append(ns, a.Name)
	}
	return strings.Join(ns, ",")
}

func TestSettings(t *testing.T) {
	var all []string
	for _, a := range suite.Analyzers() {
		all = append(all, a.Name)
	}
	newPlugin, err := register.GetPlugin(Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		settings any
		want     string // analyzer names, or the error
	}{
		{nil, strings.Join(all, ",")},
		{map[string]any{}, strings.Join(all, ",")},
		{map[string]any{"enable": []string{"unawaited", "lockorder"}}, "lockorder,unawaited"},
		{map[string]any{"disable": []string{"blocking"}}, strings.Join(all[1:], ",")},
		{map[string]any{"enable": []string{"lockorder", "holdlock"}, "disable": []string{"holdlock"}}, "lockorder"},
		{map[string]any{"enable": []string{"nosuch"}}, `asyncgo: unknown analyzer "nosuch"`},
		{map[string]any{"enabled": []string{"lockorder"}}, `unknown field "enabled"`},
	} {
		p, err := newPlugin(tc.settings)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = names(t, p)
			if p.GetLoadMode() != register.LoadModeTypesInfo {
				t.Errorf("load mode %q", p.GetLoadMode())
			}
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("settings %v: got %q, want %q", tc.settings, got, tc.want)
		}
	}
}

// golangciVersion is the golangci-lint the test builds a custom binary
// of; the Makefile installs it.
const golangciVersion = "v2.15.0"

// TestCustomGolangciLint builds a custom golangci-lint with this module's
// plugin (golangci-lint custom, the module replaced by this checkout) and
// runs it on testdata/mod, which must show asyncgo's finding.
//
// golangci-lint custom clones golangci-lint from GitHub. The test serves
// that clone from the module proxy's copy of the same version (go mod
// download, committed to a local repository that git's url.insteadOf
// substitutes for GitHub's), so it needs the module proxy only.
func TestCustomGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a custom golangci-lint")
	}
	if os.Getenv("ASYNCGO_GOLANGCI_TEST") == "" {
		t.Skip("set ASYNCGO_GOLANGCI_TEST=1 to build a custom golangci-lint (several minutes)")
	}
	gcl := findGolangciLint(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	run := func(dir string, env []string, name string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	goEnv := func(name string) string {
		out, err := run("", nil, "go", "env", name)
		if err != nil {
			t.Fatalf("go env %s: %v\n%s", name, err, out)
		}
		return strings.TrimSpace(out)
	}

	// A local repository of golangci-lint at the version, from the
	// module cache.
	out, err := run("", nil, "go", "mod", "download", "-json", "github.com/golangci/golangci-lint/v2@"+golangciVersion)
	if err != nil {
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	src := filepath.Join(goEnv("GOMODCACHE"), "github.com/golangci/golangci-lint/v2@"+golangciVersion)
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "golangci-lint.git")
	git := []string{"--git-dir=" + repo, "--work-tree=" + src, "-c", "user.name=test", "-c", "user.email=test@example.com"}
	for _, args := range [][]string{{"init", "-q", "--bare", repo}, append(git, "add", "-A", "."), append(git, "commit", "-q", "-m", golangciVersion), append(git, "tag", golangciVersion)} {
		if out, err := run(tmp, nil, "git", args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	gitEnv := []string{
		"GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=url.file://" + repo + ".insteadOf",
		"GIT_CONFIG_VALUE_0=https://github.com/golangci/golangci-lint.git",
	}

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "bin")
	conf := fmt.Sprintf(`version: %s
name: custom-gcl
destination: %s
plugins:
  - module: github.com/asyncgo/asyncgo
    import: github.com/asyncgo/asyncgo/plugin/golangci
    path: %s
`, golangciVersion, bin, root)
	build := filepath.Join(tmp, "build")
	os.Mkdir(build, 0o755)
	if err := os.WriteFile(filepath.Join(build, ".custom-gcl.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if out, err := run(build, append(gitEnv, "GOFLAGS=-mod=mod"), gcl, "custom", "-v"); err != nil {
		t.Fatalf("golangci-lint custom: %v\n%s", err, out)
	}
	t.Logf("golangci-lint custom took %v", time.Since(start).Round(time.Second))

	mod, err := filepath.Abs("testdata/mod")
	if err != nil {
		t.Fatal(err)
	}
	out, err = run(mod, []string{"GOFLAGS="}, filepath.Join(bin, "custom-gcl"), "run", "--output.text.path=stdout", "./...")
	want := "p/p.go:11:9: lockorder: mu is locked again"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(out, want) || !strings.Contains(out, "(asyncgo)") {
		t.Fatalf("custom-gcl run = %v, want exit 1 and %q from asyncgo:\n%s", err, want, out)
	}
}

// findGolangciLint returns the golangci-lint of version golangciVersion
// on PATH or in GOBIN/GOPATH/bin, as make installs it.
func findGolangciLint(t *testing.T) string {
	t.Helper()
	candidates := []string{}
	if p, err := exec.LookPath("golangci-lint"); err == nil {
		candidates = append(candidates, p)
	}
	for _, v := range []string{"GOBIN", "GOPATH"} {
		out, err := exec.Command("go", "env", v).Output()
		if d := strings.TrimSpace(string(out)); err == nil && d != "" {
			if v == "GOPATH" {
				d = filepath.Join(filepath.SplitList(d)[0], "bin")
			}
			candidates = append(candidates, filepath.Join(d, "golangci-lint"))
		}
	}
	for _, c := range candidates {
		out, err := exec.Command(c, "version").CombinedOutput()
		if err == nil && strings.Contains(string(out), strings.TrimPrefix(golangciVersion, "v")) {
			return c
		}
	}
	t.Fatalf("no golangci-lint %s (tried %q): go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@%s", golangciVersion, candidates, golangciVersion)
	return ""
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// writeModule lays out a module with the given files and makes it the
// working directory.
func writeModule(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module demo.test\n\ngo 1.26\n"
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

const helloMain = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"

func TestDemoChecksOutputs(t *testing.T) {
	writeModule(t, map[string]string{
		"examples/good/main.go":            helloMain,
		"examples/good/testdata/want.txt":  "hello\n",
		"examples/bad/main.go":             helloMain,
		"examples/bad/testdata/want.txt":   "goodbye\n",
		"examples/free/main.go":            helloMain,
		"examples/like/main.go":            helloMain,
		"examples/like/testdata/want.re":   "^h[a-z]+o\n$\n",
		"examples/unlike/main.go":          helloMain,
		"examples/unlike/testdata/want.re": "^goodbye\n$",
		"examples/broken/main.go":          helloMain,
		"examples/broken/testdata/want.re": "^(hello\n",
		// A real-clock example: its want.re decides, not the virtual clock's want.txt.
		"examples/clock/main.go":           helloMain,
		"examples/clock/testdata/want.txt": "h\n",
		"examples/clock/testdata/want.re":  "^hel+o\n$",
	})
	var out bytes.Buffer
	err := demo(context.Background(), &out, "examples", time.Minute)
	var ec cli.ExitCoder
	if !errors.As(err, &ec) || ec.ExitCode() != 1 || !strings.Contains(err.Error(), "[bad broken unlike]") {
		t.Fatalf("demo = %v, want exit 1 naming bad, broken and unlike\n%s", err, out.String())
	}
	for _, want := range []string{
		"-- ok good: output matches testdata/want.txt",
		"-- FAIL bad: output differs from testdata/want.txt",
		"-- ok free (no testdata/want.txt or want.re to compare with)",
		"-- ok like: output matches testdata/want.re",
		"-- ok clock: output matches testdata/want.re",
		"-- FAIL unlike: output does not match testdata/want.re",
		"-- FAIL broken: examples/broken/testdata/want.re: error parsing regexp: missing closing ): `^(hello`",
		"7 examples, 3 failed",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoReportsCrashesAndTimeouts(t *testing.T) {
	writeModule(t, map[string]string{
		"examples/crash/main.go": "package main\n\nfunc main() { panic(\"boom\") }\n",
		"examples/hang/main.go":  "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n",
	})
	var out bytes.Buffer
	err := demo(context.Background(), &out, "examples", 2*time.Second)
	if err == nil {
		t.Fatal("demo passed with a crashing and a hanging example")
	}
	for _, want := range []string{"-- FAIL crash:", "boom", "-- FAIL hang: timed out after 2s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoWithoutExamplesIsAnError(t *testing.T) {
	writeModule(t, map[string]string{"README": "nothing here\n", "examples/.keep": ""})
	err := demo(context.Background(), new(bytes.Buffer), "examples", time.Minute)
	var ec cli.ExitCoder
	if !errors.As(err, &ec) || ec.ExitCode() != 2 {
		t.Fatalf("demo = %v, want exit 2", err)
	}
}

// writeAsyncgoModule is writeModule for a module that uses this repository's
// runtime (through a replace directive).
func writeAsyncgoModule(t *testing.T, files map[string]string) {
	t.Helper()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module demo.test\n\ngo 1.26.0\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => " + repo + "\n"
	files["go.sum"] = string(sum)
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
}

const countdown = `package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

//asyncgo:generator
func countdown(n int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		for i := n; i > 0; i-- {
			%s
		}
		return "liftoff"
	})
}

func main() {
	g := countdown(3)
	for v := range g.All() {
		fmt.Println(v)
	}
	fmt.Println(g.Result())
}
`

// The demo lowers annotated generators and runs both builds; the tree is
// left as it was.
func TestDemoRewritesAndRunsBothModes(t *testing.T) {
	writeAsyncgoModule(t, map[string]string{
		"examples/count/main.go":           fmt.Sprintf(countdown, "co.Yield(i)"),
		"examples/count/testdata/want.txt": "3\n2\n1\nliftoff true\n",
	})
	var out bytes.Buffer
	if err := demo(context.Background(), &out, "examples", time.Minute); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"-- count: lowered into main_asyncgo.go",
		"-- ok count (direct): output matches testdata/want.txt",
		"-- ok count (lowered): output matches testdata/want.txt",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat("examples/count/main_asyncgo.go"); !os.IsNotExist(err) {
		t.Errorf("demo wrote into the tree: %v", err)
	}
}

// A generator the rewriter cannot lower fails the demo with a positioned
// error before anything is built.
func TestDemoReportsRewriteErrors(t *testing.T) {
	writeAsyncgoModule(t, map[string]string{
		"examples/count/main.go": fmt.Sprintf(countdown, "defer co.Yield(i)"),
	})
	var out bytes.Buffer
	err := demo(context.Background(), &out, "examples", time.Minute)
	var ec cli.ExitCoder
	if !errors.As(err, &ec) || ec.ExitCode() != 1 {
		t.Fatalf("demo = %v, want exit 1\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "main.go:13:4: cannot defer a suspension: co.Yield would suspend while the generator body unwinds") || strings.Contains(out.String(), "== build") {
		t.Errorf("want a positioned rewrite error and no build:\n%s", out.String())
	}
}

// Package vettest checks analyzers against `// want` comments in a GOPATH-
// style testdata tree, like analysistest, but by running the real
// `go vet -vettool` with the test binary itself as the vet tool. It needs
// neither go/packages nor golang.org/x/mod (which analysistest imports and
// this module does not require).
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) {
//		vettest.Main(m, mypass.Analyzer)
//	}
//
//	func TestMyPass(t *testing.T) { vettest.Run(t, "testdata", "a") }
package vettest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

const envTool = "ASYNCGO_VETTEST_TOOL"

// Main runs the test binary as a vet tool for the analyzers when go vet
// starts it as one (Run sets the environment), and otherwise runs the tests.
func Main(m *testing.M, analyzers ...*analysis.Analyzer) {
	if os.Getenv(envTool) == "1" {
		unitchecker.Main(analyzers...) // exits
	}
	os.Exit(m.Run())
}

// Diagnostic is one finding reported by go vet.
type Diagnostic struct {
	File    string
	Line    int
	Message string
	Related []string // "file:line: message"
	Fixes   []string // each suggested fix: "message: new text of its edits"
}

type jsonDiag struct {
	Posn    string `json:"posn"`
	Message string `json:"message"`
	Related []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
	Fixes []struct {
		Message string `json:"message"`
		Edits   []struct {
			New string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
}

// Vet runs go vet with the analyzers over the GOPATH-mode packages under
// testdata/src and returns every diagnostic.
func Vet(t *testing.T, testdata string, pkgs ...string) []Diagnostic {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	gopath, err := filepath.Abs(testdata)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"vet", "-vettool=" + exe, "-json"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join(gopath, "src")
	cmd.Env = append(os.Environ(), envTool+"=1", "GO111MODULE=off", "GOPATH="+gopath, "GOFLAGS=", "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// vet exits non-zero on diagnostics only without -json; anything
		// here is a real failure (type errors, a crash in the analyzer).
		t.Fatalf("go vet failed: %v\n%s%s", err, stderr.Bytes(), stdout.Bytes())
	}
	var out []Diagnostic
	// The JSON trees (one per package) may be interleaved with "# pkg" lines.
	data := append(stdout.Bytes(), stderr.Bytes()...)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '{')
		if i < 0 {
			break
		}
		dec := json.NewDecoder(bytes.NewReader(data[i:]))
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err != nil {
			t.Fatalf("decoding vet output: %v\n%s", err, stderr.Bytes())
		}
		data = data[i+int(dec.InputOffset()):]
		for _, byAnalyzer := range tree {
			for name, raw := range byAnalyzer {
				var diags []jsonDiag
				if err := json.Unmarshal(raw, &diags); err != nil {
					t.Fatalf("analyzer %s failed: %s", name, raw)
				}
				for _, d := range diags {
					file, line := splitPosn(d.Posn)
					dg := Diagnostic{File: file, Line: line, Message: d.Message}
					for _, r := range d.Related {
						f, l := splitPosn(r.Posn)
						dg.Related = append(dg.Related, fmt.Sprintf("%s:%d: %s", filepath.Base(f), l, r.Message))
					}
					for _, f := range d.Fixes {
						fix := f.Message + ":"
						for _, e := range f.Edits {
							fix += " " + strconv.Quote(e.New)
						}
						dg.Fixes = append(dg.Fixes, fix)
					}
					out = append(out, dg)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

func splitPosn(posn string) (string, int) {
	// file:line:col
	parts := strings.Split(posn, ":")
	if len(parts) < 3 {
		return posn, 0
	}
	line, _ := strconv.Atoi(parts[len(parts)-2])
	return strings.Join(parts[:len(parts)-2], ":"), line
}

var wantRE = regexp.MustCompile("// want (.*)$")
var factRE = regexp.MustCompile("\\w+:(`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\")")
var patRE = regexp.MustCompile("`([^`]*)`|\"((?:[^\"\\\\]|\\\\.)*)\"")

type want struct {
	re      *regexp.Regexp
	matched bool
}

// Run vets the packages and checks the diagnostics against the `// want`
// comments of their files: each diagnostic must match a pattern on its line
// and each pattern must be matched once. It returns the diagnostics.
func Run(t *testing.T, testdata string, pkgs ...string) []Diagnostic {
	t.Helper()
	diags := Vet(t, testdata, pkgs...)
	wants := map[string][]*want{} // file:line
	for _, pkg := range pkgs {
		dir := filepath.Join(testdata, "src", pkg)
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(f)
			for i, line := range strings.Split(string(data), "\n") {
				m := wantRE.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				// Fact expectations (name:"rx", for analysistest) are
				// not diagnostics: drop them.
				for _, p := range patRE.FindAllStringSubmatch(factRE.ReplaceAllString(m[1], ""), -1) {
					pat := p[1]
					if pat == "" {
						pat, _ = strconv.Unquote(`"` + p[2] + `"`)
					}
					re, err := regexp.Compile(pat)
					if err != nil {
						t.Fatalf("%s:%d: bad want pattern: %v", f, i+1, err)
					}
					key := fmt.Sprintf("%s:%d", abs, i+1)
					wants[key] = append(wants[key], &want{re: re})
				}
			}
		}
	}
	for _, d := range diags {
		key := fmt.Sprintf("%s:%d", d.File, d.Line)
		ok := false
		for _, w := range wants[key] {
			if !w.matched && w.re.MatchString(d.Message) {
				w.matched, ok = true, true
				break
			}
		}
		if !ok {
			t.Errorf("%s:%d: unexpected diagnostic: %s", filepath.Base(d.File), d.Line, d.Message)
		}
	}
	var keys []string
	for k := range wants {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, w := range wants[k] {
			if !w.matched {
				t.Errorf("%s: no diagnostic matched %q", filepath.Base(k), w.re)
			}
		}
	}
	return diags
}

package blocking_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/asyncgo/asyncgo/analyzer/blocking"
	"github.com/asyncgo/asyncgo/analyzer/holdlock"
)

func TestBlocking(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blocking.Analyzer, "a", "b", "split")
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), blocking.Analyzer, "fix")
}

// holdlockMark is the comment testdata/src/split puts on the lines that
// holdlock reports: "// holdlock: <regexp of the message>".
var holdlockMark = regexp.MustCompile(`// holdlock: (.*)$`)

// TestOneReportPerLock runs blocking and holdlock together, as asyncgo lint
// and asyncvet do, over testdata/src/split: holdlock reports exactly the
// lines marked for it, blocking exactly its want lines (as TestBlocking
// checks it alone), and no line is reported by both. So a mutex held across
// a suspension is reported once, by holdlock.
func TestOneReportPerLock(t *testing.T) {
	dir := analysistest.TestData()
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  dir,
		Env:  append(os.Environ(), "GOPATH="+dir, "GO111MODULE=off", "GOWORK=off"), // analysistest's GOPATH layout
	}
	pkgs, err := packages.Load(cfg, "split")
	if err != nil || packages.PrintErrors(pkgs) > 0 {
		t.Fatalf("loading split: %v", err)
	}
	g, err := checker.Analyze([]*analysis.Analyzer{blocking.Analyzer, holdlock.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "src", "split", "split.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	wantHold := map[int]*regexp.Regexp{}
	wantBlock := map[int]bool{}
	for i, l := range lines {
		if m := holdlockMark.FindStringSubmatch(l); m != nil {
			wantHold[i+1] = regexp.MustCompile(m[1])
		}
		if strings.Contains(l, "// want ") {
			wantBlock[i+1] = true
		}
	}
	if len(wantHold) == 0 || len(wantBlock) == 0 {
		t.Fatal("no marked lines in split.go")
	}
	by := map[int][]string{} // line -> the passes that report it
	for act := range g.All() {
		if !act.IsRoot {
			continue
		}
		if act.Err != nil {
			t.Fatalf("%s: %v", act.Analyzer.Name, act.Err)
		}
		for _, d := range act.Diagnostics {
			pos := act.Package.Fset.Position(d.Pos)
			name := act.Analyzer.Name
			by[pos.Line] = append(by[pos.Line], name)
			switch name {
			case "holdlock":
				re := wantHold[pos.Line]
				if re == nil {
					t.Errorf("%s: unexpected holdlock report: %s", pos, d.Message)
				} else if !re.MatchString(d.Message) {
					t.Errorf("%s: holdlock report %q does not match %q", pos, d.Message, re)
				}
			case "blocking":
				if !wantBlock[pos.Line] {
					t.Errorf("%s: unexpected blocking report: %s", pos, d.Message)
				}
			}
		}
	}
	for line := range wantHold {
		if n := len(by[line]); n != 1 || by[line][0] != "holdlock" {
			t.Errorf("split.go:%d: reported by %v, want holdlock once", line, by[line])
		}
	}
	for line := range wantBlock {
		if n := len(by[line]); n != 1 || by[line][0] != "blocking" {
			t.Errorf("split.go:%d: reported by %v, want blocking once", line, by[line])
		}
	}
}

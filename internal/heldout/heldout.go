// Package heldout scores asyncgo's analyzers on a held-out corpus of
// blocking bugs reduced from real fixes (testdata/heldout, issue 14): for
// each kernel, whether the buggy version is reported at one of its blocking
// sites (recall) and whether the fixed version is left alone (precision).
//
// The corpus is a module of its own under testdata, so the main module's
// `go build ./...` and `go vet ./...` never see it. Each kernel is a
// directory <shape>/<name> holding two packages, bug and fixed. The bug
// package names its upstream report on a line starting "// Upstream:" and
// marks with a trailing "// heldout:site" comment every statement that
// blocks in the deadlock (both sides of it) and every statement that causes
// the block (the early return, the lost Signal, the stored cancel func). A
// line starting "// Seen:" says that an analyzer's own testdata has since
// reduced the same bug: the kernel is still scored, but counted apart.
//
// Kernels come in rounds: a line "// Round: N" next to the upstream line
// says which round of the corpus added the kernel (round 1, the first
// corpus, has no such line). Each round was written without looking at
// the analyzers as they stood, so a later round measures what the
// analyzers learned from the earlier ones' misses without being tuned on
// it.
package heldout

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// siteMarker ends a line that blocks in a kernel's deadlock.
const siteMarker = "// heldout:site"

// upstreamPrefix starts the line naming a kernel's upstream issue or fix.
const upstreamPrefix = "// Upstream:"

// roundPrefix starts the line saying which round of the corpus added the
// kernel; a kernel without it belongs to round 1.
const roundPrefix = "// Round:"

// seenPrefix starts a line saying that the analyzers' own testdata reduces
// the same upstream bug, so the kernel no longer measures held-out recall.
const seenPrefix = "// Seen:"

// A Kernel is one reduced bug: its buggy and fixed packages.
type Kernel struct {
	Shape    string // the first directory level, e.g. "lockorder"
	Name     string // the second, e.g. "cilium_685"
	Dir      string // absolute
	Upstream string // what follows "// Upstream:" in the bug package
	Seen     string // what follows "// Seen:", if the analyzers' testdata has the same bug
	// RoundText is what follows "// Round:", empty for round 1.
	RoundText string
	// UpstreamAt and RoundAt are where the two lines are (file:line), for
	// TestCorpus's check that they stand together.
	UpstreamAt, RoundAt string
	// Sites are the marked lines of the bug package: file (absolute) -> lines.
	Sites map[string][]int
}

// Round is the round of the corpus that added the kernel: 1 without a
// Round line, 0 if the Round line is not a number.
func (k Kernel) Round() int {
	if k.RoundText == "" {
		return 1
	}
	n, err := strconv.Atoi(k.RoundText)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// ID is shape/name.
func (k Kernel) ID() string { return k.Shape + "/" + k.Name }

// BugDir and FixedDir are the two packages' directories.
func (k Kernel) BugDir() string   { return filepath.Join(k.Dir, "bug") }
func (k Kernel) FixedDir() string { return filepath.Join(k.Dir, "fixed") }

// Load finds the kernels under root (the corpus module's directory), in
// directory order, checking that each is complete: both packages, an
// upstream reference and at least one marked site.
func Load(root string) ([]Kernel, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	dirs, err := filepath.Glob(filepath.Join(root, "*", "*"))
	if err != nil {
		return nil, err
	}
	var ks []Kernel
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		k := Kernel{
			Shape: filepath.Base(filepath.Dir(d)),
			Name:  filepath.Base(d),
			Dir:   d,
			Sites: map[string][]int{},
		}
		if err := k.scan(); err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("no kernels under %s", root)
	}
	return ks, nil
}

// scan reads the kernel's files for its upstream line and its sites.
func (k *Kernel) scan() error {
	for _, dir := range []string{k.BugDir(), k.FixedDir()} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			return fmt.Errorf("%s: no Go files in %s", k.ID(), dir)
		}
		if dir != k.BugDir() {
			continue
		}
		for _, f := range files {
			if err := k.scanFile(f); err != nil {
				return err
			}
		}
	}
	if k.Upstream == "" {
		return fmt.Errorf("%s: no %q line in the bug package", k.ID(), upstreamPrefix)
	}
	if len(k.Sites) == 0 {
		return fmt.Errorf("%s: no %q line in the bug package", k.ID(), siteMarker)
	}
	return nil
}

func (k *Kernel) scanFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return k.scanLines(name, f)
}

func (k *Kernel) scanLines(name string, r io.Reader) error {
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if rest, ok := strings.CutPrefix(line, upstreamPrefix); ok && k.Upstream == "" {
			k.Upstream = strings.TrimSpace(rest)
			k.UpstreamAt = fmt.Sprintf("%s:%d", name, n)
		}
		if rest, ok := strings.CutPrefix(line, roundPrefix); ok {
			if k.RoundAt != "" {
				return fmt.Errorf("%s: a second %q line at %s:%d (the first is at %s)", k.ID(), roundPrefix, name, n, k.RoundAt)
			}
			k.RoundText = strings.TrimSpace(rest)
			k.RoundAt = fmt.Sprintf("%s:%d", name, n)
		}
		if rest, ok := strings.CutPrefix(line, seenPrefix); ok && k.Seen == "" {
			k.Seen = strings.TrimSpace(rest)
		}
		if strings.HasSuffix(line, siteMarker) && !strings.HasPrefix(line, "//") {
			k.Sites[name] = append(k.Sites[name], n)
		}
	}
	return s.Err()
}

// A Score is how the analyzers did on one kernel.
type Score struct {
	Kernel Kernel
	// Caught are the diagnostics in the bug package at a marked site (as
	// the diagnostic's position or one of its related positions).
	Caught []vetrun.Diagnostic
	// Elsewhere are the bug package's other diagnostics.
	Elsewhere []vetrun.Diagnostic
	// FalsePositives are the diagnostics in the fixed package.
	FalsePositives []vetrun.Diagnostic
}

// Scores sorts diags into the kernels' scores, in the kernels' order.
// Diagnostics outside every kernel are ignored.
func Scores(ks []Kernel, diags []vetrun.Diagnostic) []Score {
	scores := make([]Score, len(ks))
	for i, k := range ks {
		scores[i].Kernel = k
	}
	for _, d := range diags {
		for i, k := range ks {
			s := &scores[i]
			switch filepath.Dir(d.File) {
			case k.BugDir():
				if k.atSite(d) {
					s.Caught = append(s.Caught, d)
				} else {
					s.Elsewhere = append(s.Elsewhere, d)
				}
			case k.FixedDir():
				s.FalsePositives = append(s.FalsePositives, d)
			}
		}
	}
	return scores
}

// atSite reports whether d or one of its related positions is on a marked
// line of k's bug package.
func (k Kernel) atSite(d vetrun.Diagnostic) bool {
	if slices.Contains(k.Sites[d.File], d.Line) {
		return true
	}
	for _, r := range d.Related {
		if slices.Contains(k.Sites[r.File], r.Line) {
			return true
		}
	}
	return false
}

package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// edited notes that a document changed: the packages of the open Go files
// of its module are analysed again after the debounce.
func (s *Server) edited(uri string) {
	s.mu.Lock()
	d := s.docs[uri]
	if d == nil || d.path == "" || !strings.HasSuffix(d.path, ".go") {
		s.mu.Unlock()
		return
	}
	// The edited package, and the other open ones of its module: they may
	// depend on it (go vet's cache makes those that do not cheap).
	mod := moduleRoot(filepath.Dir(d.path))
	for u, o := range s.docs {
		if o.path != "" && moduleRoot(filepath.Dir(o.path)) == mod {
			s.markDirtyLocked(u)
		}
	}
	s.mu.Unlock()
	s.poke()
}

// markDirtyLocked marks the package directory of an open Go document for
// analysis.
func (s *Server) markDirtyLocked(uri string) {
	if d := s.docs[uri]; d != nil && strings.HasSuffix(d.path, ".go") {
		s.dirty[filepath.Dir(d.path)] = true
	}
}

// poke tells the analysis loop that something changed.
func (s *Server) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// slowRun is how long an analysis runs before its time is logged.
var slowRun = 2 * time.Second

// runResult is the outcome of one analysis run.
type runResult struct {
	dirs  []string
	texts map[string][]byte // the contents analysed, by file
	diags []vetrun.Diagnostic
	err   error
}

// analysisLoop runs the analyses: one at a time, each started once the
// edits have paused for the debounce; an edit cancels the run in progress,
// whose directories go back to the dirty set.
func (s *Server) analysisLoop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var (
		cancel  context.CancelFunc
		running []string // the directories of the run in progress
		results = make(chan runResult, 1)
		due     bool // the debounce elapsed while a cancelled run was ending
	)
	start := func() {
		s.mu.Lock()
		dirs := slices.Sorted(maps.Keys(s.dirty))
		clear(s.dirty)
		overlay := map[string][]byte{}
		for _, d := range s.docs {
			if d.path != "" && strings.HasSuffix(d.path, ".go") {
				overlay[d.path] = slices.Clone(d.text)
			}
		}
		s.mu.Unlock()
		if len(dirs) == 0 {
			return
		}
		var runCtx context.Context
		runCtx, cancel = context.WithCancel(ctx)
		running = dirs
		go func() {
			t0 := time.Now()
			diags, err := s.analyzeDirs(runCtx, dirs, overlay)
			if d := time.Since(t0); d > slowRun && runCtx.Err() == nil {
				s.logf("analysing %d packages took %v", len(dirs), d.Round(time.Millisecond))
			}
			results <- runResult{dirs: dirs, texts: overlay, diags: diags, err: err}
		}()
	}
	for {
		select {
		case <-ctx.Done():
			if cancel != nil {
				cancel()
				<-results
			}
			timer.Stop()
			return
		case <-s.kick:
			if cancel != nil {
				cancel() // superseded: the next run takes its directories
				s.mu.Lock()
				for _, d := range running {
					s.dirty[d] = true
				}
				s.mu.Unlock()
			}
			timer.Reset(s.cfg.Debounce)
		case <-timer.C:
			if running != nil {
				due = true // start when the cancelled run has returned
				continue
			}
			start()
		case r := <-results:
			cancel()
			cancel, running = nil, nil
			if !errors.Is(r.err, context.Canceled) {
				s.publishRun(r)
			}
			if due {
				due = false
				start()
			}
		}
	}
}

// analyzeDirs analyses the packages in dirs, one go command per module.
func (s *Server) analyzeDirs(ctx context.Context, dirs []string, overlay map[string][]byte) ([]vetrun.Diagnostic, error) {
	byModule := map[string][]string{}
	for _, d := range dirs {
		root := moduleRoot(d)
		if root == "" {
			root = d
		}
		byModule[root] = append(byModule[root], d)
	}
	var all []vetrun.Diagnostic
	var errs []error
	for _, root := range slices.Sorted(maps.Keys(byModule)) {
		var patterns []string
		for _, d := range byModule[root] {
			rel, err := filepath.Rel(root, d)
			if err != nil {
				return nil, err
			}
			patterns = append(patterns, "./"+filepath.ToSlash(rel))
		}
		opts := vetrun.Options{Dir: root, Patterns: patterns, Overlay: overlay, Tests: true}
		diags, err := s.cfg.Analyze(ctx, opts)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		all = append(all, diags...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return all, errors.Join(errs...)
}

// publishRun replaces asyncgo's diagnostics of the analysed directories by
// the run's and publishes them, merged with gopls's, for every URI whose
// diagnostics changed. A run that failed and found nothing leaves the
// previous diagnostics in place.
func (s *Server) publishRun(r runResult) {
	if r.err != nil {
		s.logf("analysis: %v", r.err)
		if len(r.diags) == 0 {
			return
		}
	}
	s.mu.Lock()
	enc := s.encoding
	next := map[string]map[string][]fix{}
	for _, d := range r.dirs {
		next[d] = map[string][]fix{}
	}
	texts := map[string][]byte{}
	text := func(file string) []byte {
		if t, ok := r.texts[file]; ok {
			return t
		}
		if t, ok := texts[file]; ok {
			return t
		}
		t, _ := os.ReadFile(file)
		texts[file] = t
		return t
	}
	seen := map[string]bool{}
	for _, vd := range r.diags {
		dir := filepath.Dir(vd.File)
		byPath, ok := next[dir]
		if !ok || vd.File == "" {
			continue
		}
		key := fmt.Sprint(vd.File, vd.Line, vd.Col, vd.Analyzer, vd.Message)
		if seen[key] {
			continue // a file of a package and of its test variant
		}
		seen[key] = true
		byPath[vd.File] = append(byPath[vd.File], toFix(vd, text, s.uriLocked, enc))
	}
	var changed []string
	for dir, byPath := range next {
		old := s.async[dir]
		for path := range byPath {
			if !slices.EqualFunc(old[path], byPath[path], sameFix) {
				changed = append(changed, path)
			}
		}
		for path := range old {
			if _, ok := byPath[path]; !ok {
				changed = append(changed, path)
			}
		}
		s.async[dir] = byPath
	}
	slices.Sort(changed)
	for _, path := range slices.Compact(changed) {
		s.publishLocked(path)
	}
	s.mu.Unlock()
}

// sameFix reports whether two findings are published the same.
func sameFix(a, b fix) bool {
	ja, _ := json.Marshal(a.diag)
	jb, _ := json.Marshal(b.diag)
	return bytes.Equal(ja, jb) && len(a.actions) == len(b.actions)
}

// toFix converts a vetrun diagnostic to an LSP one with its quick fixes;
// text returns the contents a file was analysed with, uri its URI.
func toFix(vd vetrun.Diagnostic, text func(string) []byte, uri func(string) string, enc string) fix {
	src := text(vd.File)
	start := linecolPosition(src, vd.Line, vd.Col, enc)
	end := start
	if vd.EndLine > 0 {
		end = linecolPosition(src, vd.EndLine, vd.EndCol, enc)
	}
	d := Diagnostic{
		Range:    Range{start, end},
		Severity: SeverityWarning,
		Code:     vd.Analyzer,
		Source:   "asyncgo/" + vd.Analyzer,
		Message:  vd.Message,
	}
	if vd.URL != "" {
		d.CodeDescription = &CodeDescription{Href: vd.URL}
	}
	for _, r := range vd.Related {
		p := linecolPosition(text(r.File), r.Line, r.Col, enc)
		d.RelatedInformation = append(d.RelatedInformation, DiagnosticRelatedInformation{
			Location: Location{URI: uri(r.File), Range: Range{p, p}},
			Message:  r.Message,
		})
	}
	f := fix{diag: d}
	for i, vf := range vd.Fixes {
		edit := &WorkspaceEdit{Changes: map[string][]TextEdit{}}
		for _, e := range vf.Edits {
			t := text(e.File)
			u := uri(e.File)
			edit.Changes[u] = append(edit.Changes[u], TextEdit{
				Range:   Range{offsetPosition(t, e.Start, enc), offsetPosition(t, e.End, enc)},
				NewText: e.New,
			})
		}
		f.actions = append(f.actions, CodeAction{
			Title:       "asyncgo: " + vf.Message,
			Kind:        QuickFix,
			Diagnostics: []Diagnostic{d},
			IsPreferred: i == 0,
			Edit:        edit,
		})
	}
	return f
}

// moduleRoot returns the directory of the go.mod governing dir, or "".
func moduleRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

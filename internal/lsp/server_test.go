package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/lsp/lsptest"
	"github.com/asyncgo/asyncgo/internal/vetrun"
)

func TestMain(m *testing.M) {
	if os.Getenv("LSP_FAKE_GOPLS") == "1" {
		fakeGopls()
		return
	}
	os.Setenv("LSP_FAKE_GOPLS", "1") // for the gopls processes the tests start
	goleak.VerifyTestMain(m)
}

// fakeAnalysis stands for asyncgo's analysis: it reports each time.Sleep
// call of the overlaid files of the packages analysed as the blocking
// analyzer would (the overlaid contents or the saved ones), with a fix to
// aio.Sleep. With gate set, each run waits
// for a value on it or for its cancellation.
type fakeAnalysis struct {
	mu        sync.Mutex
	runs      []vetrun.Options
	cancelled int
	gate      chan struct{}
}

func (f *fakeAnalysis) analyze(ctx context.Context, opts vetrun.Options) ([]vetrun.Diagnostic, error) {
	f.mu.Lock()
	f.runs = append(f.runs, opts)
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled++
			f.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	dirs := map[string]bool{}
	for _, p := range opts.Patterns {
		dirs[filepath.Join(opts.Dir, p)] = true
	}
	var diags []vetrun.Diagnostic
	files := map[string][]byte{}
	for dir := range dirs {
		names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, name := range names {
			files[name], _ = os.ReadFile(name)
		}
	}
	maps.Copy(files, opts.Overlay)
	for _, file := range slices.Sorted(maps.Keys(files)) {
		if !dirs[filepath.Dir(file)] {
			continue
		}
		src := files[file]
		off := 0
		for i, line := range strings.SplitAfter(string(src), "\n") {
			if col := strings.Index(line, "time.Sleep("); col >= 0 {
				end := col + strings.Index(line[col:], ")") + 1
				diags = append(diags, vetrun.Diagnostic{
					Analyzer: "blocking", File: file, Line: i + 1, Col: col + 1, EndLine: i + 1, EndCol: end + 1,
					Message: "time.Sleep blocks the event loop",
					URL:     "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/blocking",
					Related: []vetrun.Related{{File: file, Line: 1, Col: 1, Message: "in this package"}},
					Fixes: []vetrun.Fix{{Message: "use aio.Sleep", Edits: []vetrun.Edit{
						{File: file, Start: off + col, End: off + col + len("time.Sleep"), New: "aio.Sleep"},
					}}},
				})
			}
			off += len(line)
		}
	}
	return diags, nil
}

// session is a server serving a test client over pipes.
type session struct {
	t    *testing.T
	srv  *Server
	c    *lsptest.Client
	in   *io.PipeWriter
	done chan error
	dir  string // a module
	uri  string // dir/a.go
}

const source = "package p\n\nimport \"time\"\n\nfunc f() {\n\ttime.Sleep(1)\n}\n"

func start(t *testing.T, cfg Config) *session {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/p\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.go"), []byte(source), 0o644)
	if cfg.Gopls == "" && !cfg.Standalone {
		cfg.Gopls = os.Args[0]
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 20 * time.Millisecond
	}
	var log bytes.Buffer
	cfg.Log = &syncWriter{w: &log}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &session{t: t, srv: NewServer(cfg), in: inW, done: make(chan error, 1), dir: dir, uri: pathURI(filepath.Join(dir, "a.go"))}
	go func() {
		err := s.srv.Serve(context.Background(), inR, outW)
		outW.Close()
		inR.Close()
		s.done <- err
	}()
	s.c = lsptest.New(t, outR, inW)
	s.c.Timeout = 20 * time.Second
	t.Cleanup(func() {
		inW.Close()
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			t.Errorf("the server did not return after its input closed")
		}
		<-s.c.Done()
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
		}
	})
	return s
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func (s *session) initialize() json.RawMessage {
	s.t.Helper()
	res, err := s.c.Call("initialize", map[string]any{"processId": nil, "rootUri": pathURI(s.dir), "capabilities": map[string]any{}})
	if err != nil {
		s.t.Fatalf("initialize: %v", err)
	}
	s.c.Notify("initialized", map[string]any{})
	return res
}

func (s *session) open(text string) {
	s.c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": s.uri, "languageId": "go", "version": 1, "text": text}})
}

// awaitDiagnostics waits for a publishDiagnostics for the session's file
// from mark on that satisfies ok.
func (s *session) awaitDiagnostics(mark int, what string, ok func(lsptest.Published) bool) lsptest.Published {
	s.t.Helper()
	n := s.c.Await(mark, what, func(n lsptest.Notification) bool {
		p, isDiag := lsptest.Diagnostics(n)
		return isDiag && p.URI == s.uri && ok(p)
	})
	p, _ := lsptest.Diagnostics(n)
	return p
}

func (s *session) exit() error {
	s.t.Helper()
	if _, err := s.c.Call("shutdown", nil); err != nil {
		s.t.Fatalf("shutdown: %v", err)
	}
	s.c.Notify("exit", nil)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(20 * time.Second):
		s.t.Fatal("the server did not return after exit")
	}
	return nil
}

func asyncAt(line int) func(lsptest.Published) bool {
	return func(p lsptest.Published) bool {
		return p.Has("asyncgo/blocking", func(d lsptest.Diagnostic) bool { return d.Range.Start.Line == line })
	}
}

// gopls's diagnostics reach the client at once, with what asyncgo does not
// know kept; asyncgo's are merged in when its analysis ends, with their
// source, code description and related information.
func TestMergedDiagnostics(t *testing.T) {
	fa := &fakeAnalysis{gate: make(chan struct{})}
	s := start(t, Config{Analyze: fa.analyze})
	s.initialize()
	mark := s.c.Len()
	s.open(source)

	// The analysis is held: gopls's diagnostics come alone, undelayed.
	first := s.c.Await(mark, "gopls's diagnostics", func(n lsptest.Notification) bool { _, ok := lsptest.Diagnostics(n); return ok })
	if !strings.Contains(string(first.Params), `"data":{"kept":1}`) || !strings.Contains(string(first.Params), "fake gopls") {
		t.Errorf("gopls's diagnostics were not passed on as they were: %s", first.Params)
	}
	fa.gate <- struct{}{}
	p := s.awaitDiagnostics(mark, "asyncgo's diagnostics", asyncAt(5))
	if !p.Has("compiler", nil) {
		t.Errorf("gopls's diagnostics were lost in the merge: %+v", p)
	}
	var d lsptest.Diagnostic
	for _, x := range p.Diagnostics {
		if x.Source == "asyncgo/blocking" {
			d = x
		}
	}
	if d.Range.Start.Character != 1 || d.Range.End.Character != 14 || d.Code != "blocking" ||
		d.CodeDescription == nil || !strings.HasSuffix(d.CodeDescription.Href, "/analyzer/blocking") ||
		len(d.RelatedInformation) != 1 || d.RelatedInformation[0].Location.URI != s.uri {
		t.Errorf("asyncgo's diagnostic = %+v", d)
	}

	// gopls publishing again keeps asyncgo's in.
	mark = s.c.Len()
	s.c.Notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": s.uri, "version": 2}, "contentChanges": []any{}})
	s.awaitDiagnostics(mark, "gopls's new diagnostics with asyncgo's", func(p lsptest.Published) bool { return p.Has("compiler", nil) && asyncAt(5)(p) })
	fa.gate <- struct{}{}
	if err := s.exit(); err != nil {
		t.Errorf("Serve after shutdown and exit = %v, want nil", err)
	}
}

// Unsaved edits (incremental, in UTF-16 positions) are analysed: the
// diagnostic moves with its line, then goes when the call does; an edit
// cancels the analysis in progress.
func TestEditsAnalysedAsOverlay(t *testing.T) {
	fa := &fakeAnalysis{}
	s := start(t, Config{Analyze: fa.analyze})
	s.initialize()
	mark := s.c.Len()
	s.open(source)
	s.awaitDiagnostics(mark, "the diagnostic on line 6", asyncAt(5))

	// Insert a line with a non-ASCII rune above the call.
	mark = s.c.Len()
	s.c.Notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": s.uri, "version": 2},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": map[string]int{"line": 5, "character": 0}, "end": map[string]int{"line": 5, "character": 0}},
			"text":  "\t_ = \"𝄞\"\n",
		}},
	})
	s.awaitDiagnostics(mark, "the diagnostic moved to line 7", asyncAt(6))
	s.srv.mu.Lock()
	got := string(s.srv.docs[s.uri].text)
	s.srv.mu.Unlock()
	if want := strings.Replace(source, "\ttime.Sleep", "\t_ = \"𝄞\"\n\ttime.Sleep", 1); got != want {
		t.Errorf("document after the edit:\n%s\nwant:\n%s", got, want)
	}

	// Hold the next analysis; an edit cancels it and the next run sees
	// the last text.
	fa.mu.Lock()
	fa.gate = make(chan struct{})
	fa.mu.Unlock()
	replaceLine := func(version, line int, text string) {
		s.c.Notify("textDocument/didChange", map[string]any{
			"textDocument": map[string]any{"uri": s.uri, "version": version},
			"contentChanges": []any{map[string]any{
				// The end is past the line's end: the end of the line.
				"range": map[string]any{"start": map[string]int{"line": line, "character": 0}, "end": map[string]int{"line": line, "character": 99}},
				"text":  text,
			}},
		})
	}
	replaceLine(3, 6, "\ttime.Sleep(2)")
	testbound.Until(t, "the held run", func() bool { fa.mu.Lock(); defer fa.mu.Unlock(); return len(fa.runs) >= 3 })
	mark = s.c.Len()
	replaceLine(4, 6, "\t_ = 1 // no sleep")
	testbound.Until(t, "the held run to be cancelled", func() bool { fa.mu.Lock(); defer fa.mu.Unlock(); return fa.cancelled == 1 })
	close(fa.gate)
	p := s.awaitDiagnostics(mark, "asyncgo's diagnostic to go", func(p lsptest.Published) bool { return !p.Has("asyncgo/", nil) })
	if !p.Has("compiler", nil) {
		t.Errorf("gopls's diagnostics went with asyncgo's: %+v", p)
	}
	fa.mu.Lock()
	last := fa.runs[len(fa.runs)-1]
	fa.mu.Unlock()
	if !bytes.Contains(last.Overlay[filepath.Join(s.dir, "a.go")], []byte("no sleep")) || !last.Tests || last.Dir != s.dir {
		t.Errorf("last run's options = %+v", last)
	}

	// Closed unsaved, the file is analysed as saved: the call is back.
	mark = s.c.Len()
	s.c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": s.uri}})
	s.awaitDiagnostics(mark, "the saved file's diagnostic", asyncAt(5))
	s.exit()
}

// asyncgo's fixes are quick fixes, after gopls's actions for the range,
// as WorkspaceEdits; a request for other kinds gets gopls's only.
func TestCodeActions(t *testing.T) {
	fa := &fakeAnalysis{}
	s := start(t, Config{Analyze: fa.analyze})
	s.initialize()
	mark := s.c.Len()
	s.open(source)
	s.awaitDiagnostics(mark, "asyncgo's diagnostic", asyncAt(5))

	ask := func(line int, only []string) []CodeAction {
		t.Helper()
		ctx := map[string]any{"diagnostics": []any{}}
		if only != nil {
			ctx["only"] = only
		}
		res, err := s.c.Call("textDocument/codeAction", map[string]any{
			"textDocument": map[string]any{"uri": s.uri},
			"range":        map[string]any{"start": map[string]int{"line": line, "character": 3}, "end": map[string]int{"line": line, "character": 3}},
			"context":      ctx,
		})
		if err != nil {
			t.Fatalf("codeAction: %v", err)
		}
		var actions []CodeAction
		if err := json.Unmarshal(res, &actions); err != nil {
			t.Fatalf("codeAction result %s: %v", res, err)
		}
		return actions
	}
	actions := ask(5, nil)
	if len(actions) != 2 || actions[0].Title != "gopls: organize imports" || actions[1].Kind != QuickFix || actions[1].Edit == nil {
		t.Fatalf("actions = %+v", actions)
	}
	edits := actions[1].Edit.Changes[s.uri]
	if len(edits) != 1 || edits[0].NewText != "aio.Sleep" || edits[0].Range != (Range{Position{5, 1}, Position{5, 11}}) {
		t.Errorf("quick fix edits = %+v", edits)
	}
	if actions := ask(2, nil); len(actions) != 1 {
		t.Errorf("actions away from the diagnostic = %+v, want gopls's only", actions)
	}
	if actions := ask(5, []string{"source.organizeImports"}); len(actions) != 1 {
		t.Errorf("actions of another kind = %+v, want gopls's only", actions)
	}
	s.exit()
}

// Requests and notifications pass both ways: the client's to gopls, and
// gopls's requests to the client with the client's answers back.
func TestForwarding(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	res := s.initialize()
	if !strings.Contains(string(res), `"fake gopls"`) {
		t.Errorf("initialize result = %s, want gopls's", res)
	}
	params := `{"a":[1,2,{"b":"\u00e9"}],"z":null}`
	got, err := s.c.Call("fake/echo", json.RawMessage(params))
	if err != nil || string(got) != params {
		t.Errorf("fake/echo = %s, %v; want %s", got, err, params)
	}
	if _, err := s.c.Call("no/such/method", nil); !errors.Is(err, jsonrpc2.ErrMethodNotFound) {
		t.Errorf("gopls's error = %v, want method not found", err)
	}
	mark := s.c.Len()
	s.c.Notify("fake/ask", nil)
	n := s.c.Await(mark, "gopls's report of the client's answer", func(n lsptest.Notification) bool { return n.Method == "fake/answered" })
	if string(n.Params) != `[{}]` {
		t.Errorf("the client's answer reached gopls as %s", n.Params)
	}
	s.exit()
}

// A malformed message gets a JSON-RPC error with a null id, and the
// session goes on.
func TestMalformedMessages(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	s.initialize()
	for _, tc := range []struct {
		data string
		code jsonrpc2.Code
	}{
		{"Content-Length: 9\r\n\r\n{garbage}", jsonrpc2.ParseError},
		{"Content-Length: 2\r\n\r\n[]", jsonrpc2.InvalidRequest},
		{"Content-Length: 12\r\n\r\n{\"id\":1.5e1}", jsonrpc2.InvalidRequest},
		{"this is no header\r\n\r\n", jsonrpc2.ParseError},
	} {
		s.c.Errors = nil
		if err := lsptest.WriteRaw(s.in, tc.data); err != nil {
			t.Fatal(err)
		}
		e := s.c.AwaitError("an error response to " + tc.data)
		if e.Code != tc.code && !(tc.code == jsonrpc2.InvalidRequest && e.Code == jsonrpc2.ParseError) {
			t.Errorf("%q: error %d %q, want code %d", tc.data, e.Code, e.Message, tc.code)
		}
		if got, err := s.c.Call("fake/echo", 1); err != nil || string(got) != "1" {
			t.Fatalf("after %q: fake/echo = %s, %v", tc.data, got, err)
		}
	}
	s.exit()
}

// When gopls dies, its unanswered requests fail, and a new gopls is
// initialized with the client's parameters and given the open documents:
// their diagnostics come back, from the new process.
func TestGoplsRestart(t *testing.T) {
	fa := &fakeAnalysis{}
	s := start(t, Config{Analyze: fa.analyze})
	s.initialize()
	mark := s.c.Len()
	s.open(source)
	first := s.awaitDiagnostics(mark, "the first gopls's diagnostics with asyncgo's", func(p lsptest.Published) bool { return p.Has("compiler", nil) && asyncAt(5)(p) })

	hung := make(chan error, 1)
	go func() {
		_, err := s.c.Call("fake/hang", nil)
		hung <- err
	}()
	testbound.Until(t, "fake/hang to reach gopls", func() bool {
		s.srv.mu.Lock()
		defer s.srv.mu.Unlock()
		return slices.Contains(slices.Collect(maps.Values(s.srv.pending)), "fake/hang")
	})
	s.srv.mu.Lock()
	old := s.srv.gopls
	s.srv.mu.Unlock()
	mark = s.c.Len()
	if err := old.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-hung:
		if err == nil {
			t.Errorf("a request gopls never answered succeeded")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a request to the dead gopls got no answer")
	}
	p := s.awaitDiagnostics(mark, "the new gopls's diagnostics", func(p lsptest.Published) bool { return p.Has("compiler", nil) })
	if p.Diagnostics[0].Message == first.Diagnostics[0].Message {
		t.Errorf("diagnostics after the restart come from the old process: %q", p.Diagnostics[0].Message)
	}
	if !asyncAt(5)(p) {
		t.Errorf("asyncgo's diagnostics were not merged after the restart: %+v", p)
	}
	if got, err := s.c.Call("fake/echo", "again"); err != nil || string(got) != `"again"` {
		t.Errorf("after the restart: fake/echo = %s, %v", got, err)
	}
	s.exit()
	<-old.done
}

// A gopls that dies while a restart initializes it is restarted too.
func TestGoplsDiesRestarting(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	s.initialize()
	mark := s.c.Len()
	s.open(source)
	first := s.awaitDiagnostics(mark, "the first gopls's diagnostics with asyncgo's", func(p lsptest.Published) bool { return p.Has("compiler", nil) && asyncAt(5)(p) })
	flag := filepath.Join(t.TempDir(), "die")
	os.WriteFile(flag, nil, 0o644)
	t.Setenv("LSP_FAKE_GOPLS_DIE_ONCE", flag)
	s.srv.mu.Lock()
	old := s.srv.gopls
	s.srv.mu.Unlock()
	mark = s.c.Len()
	old.cmd.Process.Kill()
	s.awaitDiagnostics(mark, "the third gopls's diagnostics", func(p lsptest.Published) bool {
		return p.Has("compiler", func(d lsptest.Diagnostic) bool { return d.Message != first.Diagnostics[0].Message })
	})
	if _, err := os.Stat(flag); err == nil {
		t.Error("the second gopls did not die initializing")
	}
	s.srv.mu.Lock()
	restarts := s.srv.restarts
	s.srv.mu.Unlock()
	if restarts != 2 {
		t.Errorf("restarts = %d, want 2", restarts)
	}
	if got, err := s.c.Call("fake/echo", 2); err != nil || string(got) != "2" {
		t.Errorf("fake/echo after the restarts = %s, %v", got, err)
	}
	s.exit()
}

// exit without shutdown, or the end of the input, is ErrNoShutdown; gopls
// has exited when Serve returns either way.
func TestExitWithoutShutdown(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	s.initialize()
	s.srv.mu.Lock()
	up := s.srv.gopls
	s.srv.mu.Unlock()
	s.c.Notify("exit", nil)
	select {
	case err := <-s.done:
		s.done <- err
		if !errors.Is(err, ErrNoShutdown) {
			t.Errorf("Serve = %v, want ErrNoShutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("exit did not end the session")
	}
	select {
	case <-up.done:
	default:
		t.Error("gopls still runs after Serve returned")
	}
}

func TestEndOfInput(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	s.initialize()
	s.srv.mu.Lock()
	up := s.srv.gopls
	s.srv.mu.Unlock()
	s.in.Close()
	select {
	case err := <-s.done:
		s.done <- err
		if !errors.Is(err, ErrNoShutdown) {
			t.Errorf("Serve = %v, want ErrNoShutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the end of input did not end the session")
	}
	select {
	case <-up.done:
	default:
		t.Error("gopls still runs after Serve returned")
	}
}

// -standalone answers initialize and codeAction itself and publishes
// asyncgo's diagnostics alone.
func TestStandalone(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze, Standalone: true})
	res := s.initialize()
	if !strings.Contains(string(res), `"asyncgo"`) || !strings.Contains(string(res), `"change":2`) {
		t.Errorf("initialize = %s", res)
	}
	mark := s.c.Len()
	s.open(source)
	p := s.awaitDiagnostics(mark, "asyncgo's diagnostic", asyncAt(5))
	if len(p.Diagnostics) != 1 {
		t.Errorf("diagnostics = %+v, want asyncgo's only", p)
	}
	res, err := s.c.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": s.uri},
		"range":        map[string]any{"start": map[string]int{"line": 5, "character": 1}, "end": map[string]int{"line": 5, "character": 1}},
		"context":      map[string]any{"diagnostics": []any{}},
	})
	if err != nil || !strings.Contains(string(res), `"aio.Sleep"`) {
		t.Errorf("codeAction = %s, %v", res, err)
	}
	if _, err := s.c.Call("textDocument/hover", map[string]any{}); !errors.Is(err, jsonrpc2.ErrMethodNotFound) {
		t.Errorf("hover in standalone mode: %v, want method not found", err)
	}
	if err := s.exit(); err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// A document is the same however its URI is escaped: asyncgo's findings
// are merged into gopls's for the URI the client used, and published under
// it.
func TestURISpelling(t *testing.T) {
	s := start(t, Config{Analyze: (&fakeAnalysis{}).analyze})
	s.uri = strings.TrimSuffix(s.uri, "a.go") + "%61.go" // a.go, escaped
	s.initialize()
	mark := s.c.Len()
	s.open(source)
	s.awaitDiagnostics(mark, "merged diagnostics under the client's URI", func(p lsptest.Published) bool { return p.Has("compiler", nil) && asyncAt(5)(p) })
	res, err := s.c.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": s.uri},
		"range":        map[string]any{"start": map[string]int{"line": 5, "character": 1}, "end": map[string]int{"line": 5, "character": 1}},
		"context":      map[string]any{"diagnostics": []any{}},
	})
	if err != nil || !strings.Contains(string(res), `"changes":{"`+s.uri+`"`) {
		t.Errorf("codeAction = %s, %v; want edits under %s", res, err, s.uri)
	}
	s.exit()
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/lsp/lsptest"
)

// The end-to-end tests of asyncgo lsp: the built asyncgo in front of a real
// gopls (make test installs gopls v0.23.0), with the real analysis.

// goplsPath returns the gopls the tests run, skipping the test if there
// is none.
func goplsPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			if p := filepath.Join(d, "bin", "gopls"); isFile(p) {
				return p
			}
		}
	}
	t.Skip("gopls is not installed (make test installs it: make gopls)")
	return ""
}

func isFile(name string) bool {
	info, err := os.Stat(name)
	return err == nil && !info.IsDir()
}

// lspSession is a running asyncgo lsp with a client.
type lspSession struct {
	t      *testing.T
	cmd    *exec.Cmd
	c      *lsptest.Client
	stdin  interface{ Write([]byte) (int, error) }
	exited chan error
	stderr *lockedBuffer
	seen   map[int]bool // gopls processes seen, all gone when the test ends
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startLSP starts asyncgo lsp in dir, in a process group of its own so that
// a test that fails kills it and its gopls together.
func startLSP(t *testing.T, dir string, args ...string) *lspSession {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the end-to-end LSP tests find gopls's process through /proc")
	}
	cmd := exec.Command(asyncgoBinary(t), append([]string{"lsp", "-gopls", goplsPath(t)}, args...)...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &lspSession{t: t, cmd: cmd, stdin: stdin, exited: make(chan error, 1), stderr: &lockedBuffer{}, seen: map[int]bool{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	s.c = lsptest.New(t, stdout, stdin)
	s.c.Timeout = 3 * time.Minute // a cold gopls and a cold vet cache
	t.Cleanup(func() {
		stdin.Close()
		select {
		case err := <-s.exited:
			s.exited <- err
		case <-time.After(30 * time.Second):
			t.Errorf("asyncgo lsp still runs 30s after its input closed: killed")
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
		for pid := range s.seen {
			if syscall.Kill(pid, 0) == nil {
				t.Errorf("gopls (pid %d) still runs after asyncgo lsp exited", pid)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("asyncgo lsp's standard error:\n%s", s.stderr.String())
		}
	})
	return s
}

// gopls returns the pid of the gopls asyncgo lsp runs now.
func (s *lspSession) gopls() int {
	s.t.Helper()
	pid := s.cmd.Process.Pid
	// Each thread has its children: gopls's parent is any of asyncgo's.
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	if err != nil || len(tasks) == 0 {
		s.t.Fatalf("finding gopls: %v", err)
	}
	var data []byte
	for _, task := range tasks {
		d, _ := os.ReadFile(task)
		data = append(append(data, d...), ' ')
	}
	for _, f := range strings.Fields(string(data)) {
		child, _ := strconv.Atoi(f)
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", child)); err == nil && strings.Contains(filepath.Base(exe), "gopls") {
			s.seen[child] = true
			return child
		}
	}
	s.t.Fatalf("asyncgo lsp (pid %d) runs no gopls; children: %q", pid, data)
	return 0
}

func (s *lspSession) initialize(root string) {
	s.t.Helper()
	_, err := s.c.Call("initialize", map[string]any{
		"processId":        os.Getpid(),
		"rootUri":          fileURI(root),
		"workspaceFolders": []any{map[string]any{"uri": fileURI(root), "name": filepath.Base(root)}},
		"capabilities": map[string]any{
			"textDocument": map[string]any{
				"publishDiagnostics": map[string]any{"relatedInformation": true},
				"codeAction": map[string]any{"codeActionLiteralSupport": map[string]any{
					"codeActionKind": map[string]any{"valueSet": []string{"quickfix", "refactor", "source"}},
				}},
			},
		},
	})
	if err != nil {
		s.t.Fatalf("initialize: %v", err)
	}
	s.c.Notify("initialized", map[string]any{})
}

// exit shuts the server down and checks that it exits with status 0.
func (s *lspSession) exit() {
	s.t.Helper()
	if _, err := s.c.Call("shutdown", nil); err != nil {
		s.t.Fatalf("shutdown: %v", err)
	}
	s.c.Notify("exit", nil)
	select {
	case err := <-s.exited:
		s.exited <- err
		if err != nil {
			s.t.Errorf("asyncgo lsp after shutdown and exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		s.t.Fatal("asyncgo lsp still runs 30s after exit")
	}
}

func fileURI(path string) string { return "file://" + filepath.ToSlash(path) }

// diagnosticsFor waits for a publishDiagnostics of uri, from mark on, that
// satisfies ok.
func (s *lspSession) diagnosticsFor(mark int, uri, what string, ok func(lsptest.Published) bool) lsptest.Published {
	s.t.Helper()
	n := s.c.Await(mark, what, func(n lsptest.Notification) bool {
		p, isDiag := lsptest.Diagnostics(n)
		return isDiag && p.URI == uri && ok(p)
	})
	p, _ := lsptest.Diagnostics(n)
	return p
}

// e2eSource is a file with a blocking call in an async function (line 12)
// and a type error (line 17).
const e2eSource = `package e2e

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

//asyncgo:async
func Work() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		time.Sleep(time.Millisecond)
		return 1, nil
	})
}

var broken int = "not an int"
`

// e2eModule writes a module that uses this one through a replace, with
// e2eSource in it, and returns its directory.
func e2eModule(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := fmt.Sprintf("module example.com/e2e\n\ngo 1.26\n\nrequire github.com/asyncgo/asyncgo v0.0.0\n\nreplace github.com/asyncgo/asyncgo => %s\n", root)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "e2e.go": e2eSource} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	tidy.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dir
}

func hasAsync(line int) func(lsptest.Published) bool {
	return func(p lsptest.Published) bool {
		return p.Has("asyncgo/blocking", func(d lsptest.Diagnostic) bool { return d.Range.Start.Line == line })
	}
}

func hasTypeError(p lsptest.Published) bool {
	return slices.ContainsFunc(p.Diagnostics, func(d lsptest.Diagnostic) bool {
		return !strings.HasPrefix(d.Source, "asyncgo/") && strings.Contains(d.Message, "not an int")
	})
}

type textEdit struct {
	Range struct {
		Start struct{ Line, Character int }
		End   struct{ Line, Character int }
	}
	NewText string
}

// applyLSPEdits applies LSP edits to ASCII text.
func applyLSPEdits(t *testing.T, text string, edits []textEdit) string {
	t.Helper()
	offset := func(line, char int) int {
		off := 0
		for range line {
			i := strings.IndexByte(text[off:], '\n')
			if i < 0 {
				t.Fatalf("edit past the end of the text")
			}
			off += i + 1
		}
		return off + char
	}
	sort.Slice(edits, func(i, j int) bool {
		return offset(edits[i].Range.Start.Line, edits[i].Range.Start.Character) > offset(edits[j].Range.Start.Line, edits[j].Range.Start.Character)
	})
	for _, e := range edits {
		start := offset(e.Range.Start.Line, e.Range.Start.Character)
		end := offset(e.Range.End.Line, e.Range.End.Character)
		text = text[:start] + e.NewText + text[end:]
	}
	return text
}

// A file with a blocking call in an async function and a type error gets
// gopls's diagnostics and asyncgo's; an unsaved edit moves asyncgo's, and
// applying asyncgo's quick fix (requested as a code action) removes it.
func TestLSPEndToEnd(t *testing.T) {
	dir := e2eModule(t)
	file := filepath.Join(dir, "e2e.go")
	uri := fileURI(file)
	s := startLSP(t, dir)
	s.initialize(dir)
	mark := s.c.Len()
	s.c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": e2eSource}})
	p := s.diagnosticsFor(mark, uri, "gopls's type error and asyncgo's diagnostic", func(p lsptest.Published) bool {
		return hasTypeError(p) && hasAsync(11)(p)
	})
	for _, d := range p.Diagnostics {
		if d.Source == "asyncgo/blocking" && (d.CodeDescription == nil || !strings.Contains(d.CodeDescription.Href, "analyzer/blocking")) {
			t.Errorf("asyncgo's diagnostic has no code description: %+v", d)
		}
	}

	// Two lines above the call, unsaved: the diagnostic moves down two.
	text := strings.Replace(e2eSource, "\t\ttime.Sleep", "\t\t_ = 1\n\t\t_ = 2\n\t\ttime.Sleep", 1)
	mark = s.c.Len()
	s.c.Notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{
			"range": map[string]any{"start": map[string]int{"line": 11, "character": 0}, "end": map[string]int{"line": 11, "character": 0}},
			"text":  "\t\t_ = 1\n\t\t_ = 2\n",
		}},
	})
	p = s.diagnosticsFor(mark, uri, "asyncgo's diagnostic on line 14", hasAsync(13))
	if hasAsync(11)(p) {
		t.Errorf("asyncgo's diagnostic is still on line 12 too: %+v", p)
	}

	// The quick fix, asked for as a code action and applied.
	res, err := s.c.Call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": map[string]int{"line": 13, "character": 4}, "end": map[string]int{"line": 13, "character": 4}},
		"context":      map[string]any{"diagnostics": []any{}},
	})
	if err != nil {
		t.Fatalf("codeAction: %v", err)
	}
	var actions []struct {
		Title string
		Kind  string
		Edit  *struct{ Changes map[string][]textEdit }
	}
	if err := json.Unmarshal(res, &actions); err != nil {
		t.Fatalf("codeAction result %s: %v", res, err)
	}
	var edits []textEdit
	for _, a := range actions {
		if strings.HasPrefix(a.Title, "asyncgo:") && a.Kind == "quickfix" && a.Edit != nil {
			edits = a.Edit.Changes[uri]
			break
		}
	}
	if edits == nil {
		t.Fatalf("no asyncgo quick fix among the code actions: %s", res)
	}
	text = applyLSPEdits(t, text, edits)
	if !strings.Contains(text, "aio.Sleep(t, time.Millisecond)") {
		t.Fatalf("the fixed text has no aio.Sleep:\n%s", text)
	}
	mark = s.c.Len()
	s.c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 3},
		"contentChanges": []any{map[string]any{"text": text}},
	})
	p = s.diagnosticsFor(mark, uri, "asyncgo's diagnostic to go, gopls's to stay", func(p lsptest.Published) bool {
		return !p.Has("asyncgo/", nil) && hasTypeError(p)
	})
	s.gopls()
	s.exit()
}

// Killing gopls mid-session: a new one is started and the open document's
// diagnostics come back; a malformed message gets an error response and
// the session goes on.
func TestLSPGoplsKilledAndGarbage(t *testing.T) {
	dir := e2eModule(t)
	uri := fileURI(filepath.Join(dir, "e2e.go"))
	s := startLSP(t, dir)
	s.initialize(dir)
	mark := s.c.Len()
	s.c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": e2eSource}})
	s.diagnosticsFor(mark, uri, "the type error", hasTypeError)

	first := s.gopls()
	mark = s.c.Len()
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.diagnosticsFor(mark, uri, "the type error from a new gopls", hasTypeError)
	if second := s.gopls(); second == first {
		t.Fatalf("gopls was not restarted")
	}
	if !strings.Contains(s.stderr.String(), "gopls exited") {
		t.Errorf("the restart was not logged")
	}
	// The new gopls answers requests.
	if _, err := s.c.Call("textDocument/hover", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"position":     map[string]int{"line": 9, "character": 6},
	}); err != nil {
		t.Errorf("hover after the restart: %v", err)
	}

	if _, err := s.stdin.Write([]byte("Content-Length: 13\r\n\r\n{not json!!!}")); err != nil {
		t.Fatal(err)
	}
	if e := s.c.AwaitError("an error response to garbage"); e.Code != -32700 {
		t.Errorf("error response to garbage: %d %s, want -32700 (parse error)", e.Code, e.Message)
	}
	s.exit()
}

// TestLSPLatency measures the time from the last keystroke (didChange) to
// asyncgo's diagnostics on a package of this repository, warm cache.
func TestLSPLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	root, _ := filepath.Abs("../..")
	file := filepath.Join(root, "examples", "flagsaio", "main.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The edits go inside the body of httpGet's aio.Async: line is the
	// (1-based) line of the aio.Async, so the 0-based line line is the
	// body's first.
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "aio.Async(func") && i > 0 && strings.Contains(strings.Split(string(src), "\n")[i-1], "func httpGet(") {
			line = i + 1
		}
	}
	if line == 0 {
		t.Fatalf("%s: no aio.Async just after func httpGet: the test needs another place to edit", file)
	}
	uri := fileURI(file)
	s := startLSP(t, root)
	s.initialize(root)
	s.c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": string(src)}})
	version := 1
	inserted := "\t\ttime.Sleep(time.Millisecond)\n"
	edit := func(insert bool) time.Duration {
		version++
		var change map[string]any
		if insert {
			change = map[string]any{
				"range": map[string]any{"start": map[string]int{"line": line, "character": 0}, "end": map[string]int{"line": line, "character": 0}},
				"text":  inserted,
			}
		} else {
			change = map[string]any{
				"range": map[string]any{"start": map[string]int{"line": line, "character": 0}, "end": map[string]int{"line": line + strings.Count(inserted, "\n"), "character": 0}},
				"text":  "",
			}
		}
		mark := s.c.Len()
		sent := time.Now()
		s.c.Notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": version}, "contentChanges": []any{change}})
		n := s.c.Await(mark, "asyncgo's diagnostics after the edit", func(n lsptest.Notification) bool {
			p, ok := lsptest.Diagnostics(n)
			return ok && p.URI == uri && hasAsync(line)(p) == insert
		})
		return n.At.Sub(sent)
	}
	edit(true) // warm up: gopls loads, vet's cache fills
	edit(false)
	var times []time.Duration
	for range 3 {
		times = append(times, edit(true))
		edit(false)
	}
	slices.Sort(times)
	t.Logf("last keystroke to asyncgo's diagnostics on examples/flagsaio, warm: %v (median of %v)", times[1], times)
	if times[1] > 20*time.Second {
		t.Errorf("asyncgo's diagnostics took %v after the last keystroke", times[1])
	}

	// The same with a type error in the buffer (go vet fails; the package
	// is analysed in process despite the error).
	inserted = "\t\ttime.Sleep(time.Millisecond)\n\t\tvar _ int = \"not an int\"\n"
	edit(true)
	edit(false)
	times = times[:0]
	for range 3 {
		times = append(times, edit(true))
		edit(false)
	}
	slices.Sort(times)
	t.Logf("the same with a type error in the buffer: %v (median of %v)", times[1], times)
	if times[1] > 20*time.Second {
		t.Errorf("asyncgo's diagnostics in an ill-typed buffer took %v after the last keystroke", times[1])
	}
	s.exit()
}

// lsp's own flags are taken out; gopls's flags, with their values, and its
// command go to gopls as they are.
func TestParseLSPArgs(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		gopls      string
		standalone bool
		debounce   time.Duration
		goplsArgs  []string
		command    string
	}{
		{args: nil},
		{args: []string{"serve"}, goplsArgs: []string{"serve"}, command: "serve"},
		{args: []string{"-gopls", "/x/gopls", "-mode=stdio"}, gopls: "/x/gopls", goplsArgs: []string{"-mode=stdio"}},
		{args: []string{"--gopls=/x/gopls", "-standalone", "-debounce", "1s"}, gopls: "/x/gopls", standalone: true, debounce: time.Second},
		{args: []string{"-logfile", "serve", "-rpc.trace", "serve", "-gopls", "y"}, goplsArgs: []string{"-logfile", "serve", "-rpc.trace", "serve", "-gopls", "y"}, command: "serve"},
		{args: []string{"-remote=auto", "version"}, goplsArgs: []string{"-remote=auto", "version"}, command: "version"},
	} {
		a, err := parseLSPArgs(tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if a.gopls != tc.gopls || a.standalone != tc.standalone || a.debounce != tc.debounce || !slices.Equal(a.goplsArgs, tc.goplsArgs) || a.command != tc.command {
			t.Errorf("%q: got %+v", tc.args, a)
		}
	}
	for _, bad := range [][]string{{"-gopls"}, {"-debounce", "soon"}} {
		if _, err := parseLSPArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// Through a link named asyncgo-gopls, asyncgo is asyncgo lsp: gopls's
// version command runs gopls.
func TestGoplsLink(t *testing.T) {
	gopls := goplsPath(t)
	link := filepath.Join(t.TempDir(), "asyncgo-gopls")
	if err := os.Symlink(asyncgoBinary(t), link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "-gopls", gopls, "version")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "golang.org/x/tools/gopls") {
		t.Errorf("asyncgo-gopls version: %v\n%s", err, out)
	}
}

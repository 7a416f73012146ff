// Package lsp is asyncgo's language server: an LSP 3.17 server on a stream
// (stdio) that fronts a real gopls and adds asyncgo's diagnostics and quick
// fixes to gopls's.
//
// The server starts gopls as a child process and forwards every request,
// response and notification both ways as it came (a message's params and
// result are passed on byte for byte, an error's code, message and data
// kept; only the envelope is re-framed, by go.lsp.dev/jsonrpc2). It reads the messages it needs: the documents' contents
// (didOpen, didChange, didClose, didSave), so that the analysis sees the
// unsaved buffers as overlays; gopls's publishDiagnostics, into which it
// merges asyncgo's diagnostics for the same URI (gopls's are published at
// once, never held back for an analysis); and the codeAction results, to
// which it adds asyncgo's suggested fixes as quick fixes.
//
// Analysis is an [AnalyzeFunc]; [Analyze] (go vet's machinery through
// internal/vetrun, so packages' facts and results are cached) is the one
// asyncgo uses. After an edit, the packages of the open files of the
// edited module are analysed again once the edits pause for
// [Config.Debounce]; an edit cancels a run in progress, and the next run
// takes its packages too.
//
// If gopls dies it is started again, initialized with the client's
// original initialize parameters, and the open documents are sent to it
// again; requests it had not answered get an error. A malformed message gets
// a JSON-RPC error response. shutdown and exit are honoured: the server
// returns once gopls has exited (it is killed if it does not exit in time).
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/asyncgo/asyncgo/internal/vetrun"
)

// AnalyzeFunc runs asyncgo's analyzers as [vetrun.Run] does.
type AnalyzeFunc func(ctx context.Context, opts vetrun.Options) ([]vetrun.Diagnostic, error)

// Config configures a [Server].
type Config struct {
	// Gopls is the gopls command; GoplsArgs its arguments (gopls's own
	// flags, e.g. -rpc.trace or -remote=auto). With Standalone no gopls
	// runs and the server answers initialize itself.
	Gopls      string
	GoplsArgs  []string
	Standalone bool

	// Analyze runs the analysis; nil means [Analyze].
	Analyze AnalyzeFunc
	// Debounce is how long the edits must pause before an analysis
	// starts; 0 means 150ms.
	Debounce time.Duration
	// MaxRestarts bounds how often gopls is started again after dying;
	// 0 means 5. After that the server goes on without gopls.
	MaxRestarts int
	// Log receives the server's log and gopls's standard error; nil means
	// os.Stderr.
	Log io.Writer
}

// ErrNoShutdown is returned by [Server.Serve] when the client sent exit
// without shutdown first, or closed the stream (LSP's exit code 1).
var ErrNoShutdown = errors.New("lsp: exit without shutdown")

// requestFailed is LSP's RequestFailed error code.
const requestFailed jsonrpc2.Code = -32803

// A Server is one session with one client.
type Server struct {
	cfg    Config
	client jsonrpc2.Stream
	log    io.Writer

	mu         sync.Mutex
	current    *upstream     // the gopls running (or starting), nil in standalone mode
	gopls      *upstream     // current once it takes the client's messages, else nil
	ready      chan struct{} // closed when no restart is under way
	restarting bool          // ready is open: a restart is under way
	restarts   int
	initParams json.RawMessage // the client's initialize params, for a restart
	encoding   string          // the negotiated position encoding
	shutdown   bool            // the client sent shutdown
	exiting    bool            // the session is ending: gopls's exit is no crash

	// pending holds the client's requests forwarded to gopls and not yet
	// answered, with their method; codeActions those that are codeAction
	// requests, with their params.
	pending     map[jsonrpc2.ID]string
	codeActions map[jsonrpc2.ID]codeActionParams

	docs       map[string]*document        // open documents by URI
	goplsDiags map[string]json.RawMessage  // gopls's last publishDiagnostics params by docKey
	async      map[string]map[string][]fix // analysed directory -> docKey -> asyncgo's findings

	kick  chan struct{} // an edit: analyse again after the debounce
	dirty map[string]bool
}

// document is an open text document.
type document struct {
	version int32
	text    []byte
	path    string // "" for a URI that is not a file
	lang    string
}

// fix is one asyncgo diagnostic as published, with its quick fixes.
type fix struct {
	diag    Diagnostic
	actions []CodeAction
}

// upstream is a running gopls.
type upstream struct {
	cmd    *exec.Cmd
	stream jsonrpc2.Stream
	done   chan struct{} // closed when the process has exited
	// initID is the id of the initialize request a restart sends.
	initID jsonrpc2.ID
}

// NewServer returns a server for one client session.
func NewServer(cfg Config) *Server {
	if cfg.Analyze == nil {
		cfg.Analyze = Analyze
	}
	if cfg.Debounce == 0 {
		cfg.Debounce = 150 * time.Millisecond
	}
	if cfg.MaxRestarts == 0 {
		cfg.MaxRestarts = 5
	}
	if cfg.Gopls == "" {
		cfg.Gopls = "gopls"
	}
	log := cfg.Log
	if log == nil {
		log = os.Stderr
	}
	return &Server{
		cfg:         cfg,
		log:         log,
		ready:       make(chan struct{}),
		encoding:    utf16Encoding,
		pending:     map[jsonrpc2.ID]string{},
		codeActions: map[jsonrpc2.ID]codeActionParams{},
		docs:        map[string]*document{},
		goplsDiags:  map[string]json.RawMessage{},
		async:       map[string]map[string][]fix{},
		kick:        make(chan struct{}, 1),
		dirty:       map[string]bool{},
	}
}

// rwc joins a reader and a writer into the stream a jsonrpc2.Stream wraps.
type rwc struct {
	io.Reader
	io.Writer
}

func (c rwc) Close() error {
	var errs []error
	for _, x := range []any{c.Reader, c.Writer} {
		if cl, ok := x.(io.Closer); ok {
			errs = append(errs, cl.Close())
		}
	}
	return errors.Join(errs...)
}

// Serve runs the session over in and out until the client sends exit or
// closes in. It returns nil after shutdown and exit, ErrNoShutdown after an
// exit without shutdown or the end of in, and an error if gopls cannot be
// started. gopls has exited when it returns.
func (s *Server) Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.client = jsonrpc2.NewHeaderStream(rwc{in, out})

	if s.cfg.Standalone {
		close(s.ready)
	} else {
		up, err := s.start()
		if err != nil {
			return err
		}
		s.current, s.gopls = up, up
		close(s.ready)
		go s.readGopls(ctx, up)
	}

	var wg sync.WaitGroup
	wg.Go(func() { s.analysisLoop(ctx) })
	defer wg.Wait()
	defer cancel()

	err := s.readClient(ctx)
	s.stop()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shutdown {
		return ErrNoShutdown
	}
	return nil
}

// logf writes a line to the log.
func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.log, "asyncgo lsp: "+format+"\n", args...)
}

// start starts a gopls.
func (s *Server) start() (*upstream, error) {
	cmd := exec.Command(s.cfg.Gopls, s.cfg.GoplsArgs...)
	cmd.Stderr = s.log
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lsp: starting gopls: %v", err)
	}
	up := &upstream{cmd: cmd, stream: jsonrpc2.NewHeaderStream(rwc{stdout, stdin}), done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(up.done)
	}()
	return up, nil
}

// Close ends the session from outside (on a signal): gopls is stopped as
// at the end of [Server.Serve].
func (s *Server) Close() { s.stop() }

// stop ends the session: gopls, if the client's exit did not reach it, is
// asked to exit by the closing of its input, and it is killed if it has
// not exited within a few seconds.
func (s *Server) stop() {
	s.mu.Lock()
	exitSent := s.exiting // the client's exit went to gopls
	s.exiting = true
	ready := s.ready
	s.mu.Unlock()
	// A restart under way ends (the new gopls is killed if it started).
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
	}
	s.mu.Lock()
	up := s.current
	s.mu.Unlock()
	if up == nil {
		return
	}
	if exitSent {
		select {
		case <-up.done:
			return
		case <-time.After(2 * time.Second):
		}
	}
	up.stream.Close()
	select {
	case <-up.done:
		return
	case <-time.After(2 * time.Second):
	}
	up.cmd.Process.Kill()
	<-up.done
}

// readClient reads the client's messages until exit or the end of the
// stream.
func (s *Server) readClient(ctx context.Context) error {
	garbage := false // after a bad header, until a good message: one error only
	for {
		msg, _, err := s.client.Read(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, os.ErrClosed) || ctx.Err() != nil {
				return nil
			}
			var rpcErr *jsonrpc2.Error
			switch {
			case errors.Is(err, jsonrpc2.ErrInvalidHeader):
				if !garbage {
					s.replyError(jsonrpc2.ID{}, jsonrpc2.NewError(jsonrpc2.ParseError, "malformed message header: "+err.Error()))
				}
				garbage = true
				continue
			case errors.As(err, &rpcErr):
				// The frame was read whole: its body is not a JSON-RPC
				// message. The id is unknown, so it is null.
				s.replyError(jsonrpc2.ID{}, rpcErr)
				garbage = false
				continue
			}
			return err
		}
		garbage = false
		if s.handleClient(ctx, msg) {
			return nil
		}
	}
}

// replyError sends an error response to the client.
func (s *Server) replyError(id jsonrpc2.ID, err *jsonrpc2.Error) {
	s.toClient(jsonrpc2.NewResponse(id, nil, err))
}

// toClient writes a message to the client.
func (s *Server) toClient(msg jsonrpc2.Message) {
	if _, err := s.client.Write(context.Background(), msg); err != nil {
		s.logf("writing to the client: %v", err)
	}
}

// waitGopls returns the gopls that takes the client's messages now, nil in
// standalone mode or when gopls could not be started again.
func (s *Server) waitGopls(ctx context.Context) *upstream {
	s.mu.Lock()
	ready := s.ready
	s.mu.Unlock()
	select {
	case <-ready:
	case <-ctx.Done():
		return nil
	case <-time.After(60 * time.Second):
		s.logf("gopls is still restarting after 60s")
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gopls
}

// handleClient handles one message of the client and reports whether it
// was exit.
func (s *Server) handleClient(ctx context.Context, msg jsonrpc2.Message) (exit bool) {
	switch m := msg.(type) {
	case *jsonrpc2.Call:
		s.handleCall(ctx, m)
	case *jsonrpc2.Notification:
		s.handleNotification(ctx, m)
		return m.Method() == "exit"
	case *jsonrpc2.Response:
		// The client's answer to a request of gopls.
		if up := s.waitGopls(ctx); up != nil {
			s.toGopls(up, m)
		}
	}
	return false
}

// toGopls writes a message to gopls; a failure is gopls dying, which its
// reader sees.
func (s *Server) toGopls(up *upstream, msg jsonrpc2.Message) {
	if _, err := up.stream.Write(context.Background(), msg); err != nil {
		s.logf("writing to gopls: %v", err)
	}
}

func (s *Server) handleCall(ctx context.Context, m *jsonrpc2.Call) {
	params := slices.Clone(m.Params()) // they borrow the read buffer
	switch m.Method() {
	case "initialize":
		s.mu.Lock()
		s.initParams = json.RawMessage(params)
		s.mu.Unlock()
		if s.cfg.Standalone {
			s.mu.Lock()
			s.encoding = chooseEncoding(json.RawMessage(params))
			enc := s.encoding
			s.mu.Unlock()
			result, _ := json.Marshal(map[string]any{
				"capabilities": map[string]any{
					"positionEncoding": enc,
					"textDocumentSync": map[string]any{"openClose": true, "change": 2, "save": map[string]any{}},
					"codeActionProvider": map[string]any{
						"codeActionKinds": []string{QuickFix},
					},
				},
				"serverInfo": map[string]any{"name": "asyncgo"},
			})
			s.toClient(jsonrpc2.NewResponse(m.ID(), result, nil))
			return
		}
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
	case "textDocument/codeAction":
		var p codeActionParams
		if err := json.Unmarshal(params, &p); err != nil {
			s.replyError(m.ID(), jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error()))
			return
		}
		if s.cfg.Standalone {
			result, _ := json.Marshal(s.quickFixes(p))
			s.toClient(jsonrpc2.NewResponse(m.ID(), result, nil))
			return
		}
		s.mu.Lock()
		s.codeActions[m.ID()] = p
		s.mu.Unlock()
	}
	up := s.waitGopls(ctx)
	if up == nil {
		if s.cfg.Standalone && m.Method() == "shutdown" {
			s.toClient(jsonrpc2.NewResponse(m.ID(), nil, nil))
			return
		}
		s.mu.Lock()
		p, isCA := s.codeActions[m.ID()]
		delete(s.codeActions, m.ID())
		s.mu.Unlock()
		if isCA {
			result, _ := json.Marshal(s.quickFixes(p))
			s.toClient(jsonrpc2.NewResponse(m.ID(), result, nil))
			return
		}
		if s.cfg.Standalone {
			s.replyError(m.ID(), jsonrpc2.NewError(jsonrpc2.MethodNotFound, "asyncgo lsp -standalone does not serve "+m.Method()))
		} else {
			s.replyError(m.ID(), jsonrpc2.NewError(requestFailed, "gopls is not running"))
		}
		return
	}
	s.mu.Lock()
	s.pending[m.ID()] = m.Method()
	s.mu.Unlock()
	s.toGopls(up, jsonrpc2.NewCall(m.ID(), m.Method(), params))
}

func (s *Server) handleNotification(ctx context.Context, m *jsonrpc2.Notification) {
	params := m.Params()
	switch m.Method() {
	case "textDocument/didOpen":
		var p didOpenParams
		if json.Unmarshal(params, &p) == nil {
			td := p.TextDocument
			s.mu.Lock()
			s.docs[td.URI] = &document{version: td.Version, text: []byte(td.Text), path: uriPath(td.URI), lang: td.LanguageID}
			s.mu.Unlock()
			s.edited(td.URI)
		}
	case "textDocument/didChange":
		var p didChangeParams
		if json.Unmarshal(params, &p) == nil {
			s.mu.Lock()
			if d := s.docs[p.TextDocument.URI]; d != nil {
				d.version = p.TextDocument.Version
				for _, c := range p.ContentChanges {
					if c.Range == nil {
						d.text = []byte(c.Text)
						continue
					}
					start := positionOffset(d.text, c.Range.Start, s.encoding)
					end := max(start, positionOffset(d.text, c.Range.End, s.encoding))
					d.text = slices.Concat(d.text[:start:start], []byte(c.Text), d.text[end:])
				}
			}
			s.mu.Unlock()
			s.edited(p.TextDocument.URI)
		}
	case "textDocument/didClose":
		var p documentParams
		if json.Unmarshal(params, &p) == nil {
			s.mu.Lock()
			if d := s.docs[p.TextDocument.URI]; d != nil && strings.HasSuffix(d.path, ".go") {
				// Analyse its package again as saved: the unsaved
				// changes are gone.
				s.dirty[filepath.Dir(d.path)] = true
			}
			delete(s.docs, p.TextDocument.URI)
			s.mu.Unlock()
			s.poke()
		}
	case "textDocument/didSave", "workspace/didChangeWatchedFiles":
		s.mu.Lock()
		for uri := range s.docs {
			s.markDirtyLocked(uri)
		}
		s.mu.Unlock()
		s.poke()
	case "exit":
		s.mu.Lock()
		s.exiting = true
		s.mu.Unlock()
	}
	if up := s.waitGopls(ctx); up != nil {
		s.toGopls(up, jsonrpc2.NewNotification(m.Method(), params))
	}
}

// chooseEncoding picks the position encoding of a standalone session from
// the client's capabilities: utf-8 if offered (no conversion), else utf-16.
func chooseEncoding(initParams json.RawMessage) string {
	var p struct {
		Capabilities struct {
			General struct {
				PositionEncodings []string `json:"positionEncodings"`
			} `json:"general"`
		} `json:"capabilities"`
	}
	json.Unmarshal(initParams, &p)
	if slices.Contains(p.Capabilities.General.PositionEncodings, utf8Encoding) {
		return utf8Encoding
	}
	return utf16Encoding
}

// readGopls reads gopls's messages until it exits, then starts it again
// unless the session is ending.
func (s *Server) readGopls(ctx context.Context, up *upstream) {
	for {
		msg, _, err := up.stream.Read(ctx)
		if err != nil {
			var rpcErr *jsonrpc2.Error
			if errors.As(err, &rpcErr) {
				s.logf("gopls sent a malformed message: %v", err)
				continue
			}
			break
		}
		s.handleGopls(up, msg)
	}
	up.stream.Close()
	select {
	case <-up.done:
	case <-time.After(2 * time.Second):
		up.cmd.Process.Kill()
		<-up.done
	}
	s.died(ctx, up)
}

// handleGopls handles one message of gopls.
func (s *Server) handleGopls(up *upstream, msg jsonrpc2.Message) {
	switch m := msg.(type) {
	case *jsonrpc2.Response:
		if up.initID.IsValid() && m.ID() == up.initID {
			s.reinitialized(up, m)
			return
		}
		s.mu.Lock()
		method := s.pending[m.ID()]
		delete(s.pending, m.ID())
		p, isCA := s.codeActions[m.ID()]
		delete(s.codeActions, m.ID())
		s.mu.Unlock()
		switch {
		case method == "initialize" && m.Err() == nil:
			s.mu.Lock()
			s.encoding = resultEncoding(json.RawMessage(m.Result()))
			s.mu.Unlock()
		case isCA:
			if merged, ok := s.mergeCodeActions(p, json.RawMessage(m.Result()), m.Err()); ok {
				s.toClient(jsonrpc2.NewResponse(m.ID(), jsonrpc2.RawMessage(merged), nil))
				return
			}
		}
		s.toClient(m)
	case *jsonrpc2.Notification:
		params := m.Params()
		if m.Method() == "textDocument/publishDiagnostics" {
			if merged, ok := s.mergeGoplsDiagnostics(json.RawMessage(params)); ok {
				params = jsonrpc2.RawMessage(merged)
			}
		}
		s.toClient(jsonrpc2.NewNotification(m.Method(), params))
	case *jsonrpc2.Call:
		s.toClient(m)
	}
}

// resultEncoding is the position encoding an initialize result names.
func resultEncoding(result json.RawMessage) string {
	var r struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
		} `json:"capabilities"`
	}
	if json.Unmarshal(result, &r) == nil && r.Capabilities.PositionEncoding != "" {
		return r.Capabilities.PositionEncoding
	}
	return utf16Encoding
}

// died handles the exit of a gopls: unless the session is ending, the
// requests it had not answered fail and a new gopls is started and
// initialized like the first. The client's messages wait (on ready) until
// the new gopls has been given the open documents.
func (s *Server) died(ctx context.Context, up *upstream) {
	s.mu.Lock()
	if s.current != up {
		s.mu.Unlock()
		return
	}
	s.current, s.gopls = nil, nil
	pending := s.pending
	s.pending = map[jsonrpc2.ID]string{}
	clear(s.codeActions)
	exiting, shutdown := s.exiting, s.shutdown
	restart := !exiting && !shutdown && ctx.Err() == nil && s.restarts < s.cfg.MaxRestarts
	if restart {
		s.restarts++
		if !s.restarting {
			s.restarting = true
			s.ready = make(chan struct{})
		}
	} else {
		s.readyLocked()
	}
	initParams := s.initParams
	s.mu.Unlock()

	for id, method := range pending {
		if method == "shutdown" {
			s.toClient(jsonrpc2.NewResponse(id, nil, nil))
			continue
		}
		s.replyError(id, jsonrpc2.NewError(requestFailed, "gopls exited before answering "+method))
	}
	if exiting || shutdown || ctx.Err() != nil {
		return
	}
	s.logf("gopls exited (%v)", up.cmd.ProcessState)
	if !restart {
		s.logf("gopls exited %d times: going on without it", s.cfg.MaxRestarts+1)
		return
	}

	next, err := s.start()
	if err == nil && initParams != nil {
		next.initID = jsonrpc2.NewStringID(fmt.Sprintf("asyncgo-reinitialize-%d", s.restarts))
		if _, werr := next.stream.Write(context.Background(), jsonrpc2.NewCall(next.initID, "initialize", jsonrpc2.RawMessage(initParams))); werr != nil {
			s.logf("initializing the new gopls: %v", werr) // it died: its reader restarts it
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.logf("starting gopls again: %v", err)
		s.readyLocked()
		return
	case s.exiting:
		// The session ended while gopls was starting.
		next.cmd.Process.Kill()
		s.readyLocked()
		return
	}
	s.current = next
	if initParams == nil {
		// Not initialized yet: the client's initialize will do.
		s.gopls = next
		s.readyLocked()
	}
	go s.readGopls(ctx, next)
}

// readyLocked lets the client's messages through again after a restart.
func (s *Server) readyLocked() {
	if s.restarting {
		s.restarting = false
		close(s.ready)
	}
}

// reinitialized completes a restart when gopls answers the initialize the
// server sent it: initialized, then every open document.
func (s *Server) reinitialized(up *upstream, m *jsonrpc2.Response) {
	if m.Err() != nil {
		s.logf("gopls restarted but failed to initialize: %v", m.Err())
	}
	s.mu.Lock()
	if s.current != up {
		s.mu.Unlock()
		return
	}
	var opens []jsonrpc2.Message
	for _, uri := range slices.Sorted(maps.Keys(s.docs)) {
		d := s.docs[uri]
		var p didOpenParams
		p.TextDocument.URI, p.TextDocument.LanguageID, p.TextDocument.Version, p.TextDocument.Text = uri, d.lang, d.version, string(d.text)
		params, _ := json.Marshal(p)
		opens = append(opens, jsonrpc2.NewNotification("textDocument/didOpen", params))
	}
	s.mu.Unlock()
	// The client's messages still wait, so the documents cannot change
	// before gopls has them.
	s.toGopls(up, jsonrpc2.NewNotification("initialized", jsonrpc2.RawMessage(`{}`)))
	for _, msg := range opens {
		s.toGopls(up, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == up {
		s.gopls = up
	}
	s.readyLocked()
}

// mergeGoplsDiagnostics records gopls's diagnostics for a URI and returns
// the params with asyncgo's for the URI added (ok false: none to add, the
// params go as they are).
func (s *Server) mergeGoplsDiagnostics(params json.RawMessage) (json.RawMessage, bool) {
	members, err := rawMembers(params)
	if err != nil {
		return nil, false
	}
	var uri string
	if json.Unmarshal(members["uri"], &uri) != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goplsDiags[docKey(uri)] = slices.Clone(params)
	ours := s.asyncLocked(uri)
	if len(ours) == 0 {
		return nil, false
	}
	merged, err := withDiagnostics(members, ours)
	return merged, err == nil
}

// withDiagnostics returns publishDiagnostics params made of members with
// extra appended to its diagnostics.
func withDiagnostics(members map[string]json.RawMessage, extra []Diagnostic) (json.RawMessage, error) {
	var diags []json.RawMessage
	if d := members["diagnostics"]; len(d) > 0 {
		if err := json.Unmarshal(d, &diags); err != nil {
			return nil, err
		}
	}
	for _, d := range extra {
		b, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		diags = append(diags, b)
	}
	if diags == nil {
		diags = []json.RawMessage{}
	}
	all, err := json.Marshal(diags)
	if err != nil {
		return nil, err
	}
	m := maps.Clone(members)
	m["diagnostics"] = all
	return json.Marshal(m)
}

// docKey is the key of a document in the server's maps: its file's path,
// or the URI itself if it names no file. Keyed so, a document is the same
// whichever way the client, gopls and the analysis spell its URI (escapes,
// a drive letter's case).
func docKey(uri string) string {
	if p := uriPath(uri); p != "" {
		return p
	}
	return uri
}

// uriLocked returns the URI to name a file by: the client's for an open
// document, gopls's if it published diagnostics for it, else its file: URI.
func (s *Server) uriLocked(path string) string {
	for uri, d := range s.docs {
		if d.path == path {
			return uri
		}
	}
	if last, ok := s.goplsDiags[path]; ok {
		var p struct{ URI string }
		if json.Unmarshal(last, &p) == nil && p.URI != "" {
			return p.URI
		}
	}
	return pathURI(path)
}

// asyncLocked returns asyncgo's diagnostics for a URI.
func (s *Server) asyncLocked(uri string) []Diagnostic {
	var ds []Diagnostic
	for _, dir := range slices.Sorted(maps.Keys(s.async)) {
		for _, f := range s.async[dir][docKey(uri)] {
			ds = append(ds, f.diag)
		}
	}
	return ds
}

// publishLocked sends the client gopls's last diagnostics for a document
// (by key) merged with asyncgo's.
func (s *Server) publishLocked(key string) {
	uri := key
	if filepath.IsAbs(key) {
		uri = s.uriLocked(key)
	}
	members := map[string]json.RawMessage{"uri": nil, "diagnostics": json.RawMessage("[]")}
	if last, ok := s.goplsDiags[key]; ok {
		if m, err := rawMembers(last); err == nil {
			members = m
		}
	}
	members["uri"], _ = json.Marshal(uri)
	if d := s.docs[uri]; d != nil {
		members["version"], _ = json.Marshal(d.version)
	} else {
		delete(members, "version")
	}
	params, err := withDiagnostics(members, s.asyncLocked(uri))
	if err != nil {
		s.logf("merging diagnostics for %s: %v", uri, err)
		return
	}
	s.toClient(jsonrpc2.NewNotification("textDocument/publishDiagnostics", jsonrpc2.RawMessage(params)))
}

// quickFixes returns asyncgo's quick fixes for the diagnostics of a
// document that meet the range of a codeAction request.
func (s *Server) quickFixes(p codeActionParams) []CodeAction {
	if len(p.Context.Only) > 0 && !slices.ContainsFunc(p.Context.Only, func(k string) bool {
		return k == QuickFix || strings.HasPrefix(QuickFix, k+".") || k == ""
	}) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var actions []CodeAction
	for _, dir := range slices.Sorted(maps.Keys(s.async)) {
		for _, f := range s.async[dir][docKey(p.TextDocument.URI)] {
			if overlaps(f.diag.Range, p.Range) {
				actions = append(actions, f.actions...)
			}
		}
	}
	return actions
}

// overlaps reports whether two ranges meet (an empty range meets a range
// that contains it or touches it).
func overlaps(a, b Range) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func before(p, q Position) bool {
	return p.Line < q.Line || p.Line == q.Line && p.Character < q.Character
}

// mergeCodeActions adds asyncgo's quick fixes to gopls's codeAction
// result. ok is false when there is nothing to add.
func (s *Server) mergeCodeActions(p codeActionParams, result json.RawMessage, rpcErr error) (json.RawMessage, bool) {
	ours := s.quickFixes(p)
	if len(ours) == 0 {
		return nil, false
	}
	var all []json.RawMessage
	if rpcErr == nil && len(result) > 0 {
		if err := json.Unmarshal(result, &all); err != nil {
			return nil, false // not a list (null is): leave gopls's answer alone
		}
	}
	for _, a := range ours {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, false
		}
		all = append(all, b)
	}
	merged, err := json.Marshal(all)
	return merged, err == nil
}

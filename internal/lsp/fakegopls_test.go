package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"go.lsp.dev/jsonrpc2"
)

// fakeGopls is a stand-in for gopls (the test binary run with
// LSP_FAKE_GOPLS=1): it answers initialize, publishes one diagnostic of
// its own (naming its process, with a data member asyncgo does not know)
// for each opened or changed document, answers codeAction with an action
// of its own, echoes fake/echo, asks the client for its configuration on
// fake/ask and reports the answer in a fake/answered notification, never
// answers fake/hang, and exits on exit. If the file named by
// LSP_FAKE_GOPLS_DIE_ONCE exists, the first to initialize removes it and
// dies.
func fakeGopls() {
	s := jsonrpc2.NewHeaderStream(rwc{os.Stdin, os.Stdout})
	ctx := context.Background()
	reply := func(id jsonrpc2.ID, result string) {
		s.Write(ctx, jsonrpc2.NewResponse(id, jsonrpc2.RawMessage(result), nil))
	}
	publish := func(uri string, version int32) {
		params, _ := json.Marshal(map[string]any{
			"uri":     uri,
			"version": version,
			"diagnostics": []any{map[string]any{
				"range":    map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": 0, "character": 7}},
				"severity": 1,
				"source":   "compiler",
				"message":  fmt.Sprintf("fake gopls %d: undefined: x", os.Getpid()),
				"data":     map[string]int{"kept": 1},
			}},
		})
		s.Write(ctx, jsonrpc2.NewNotification("textDocument/publishDiagnostics", params))
	}
	for {
		msg, _, err := s.Read(ctx)
		if err != nil {
			os.Exit(3)
		}
		switch m := msg.(type) {
		case *jsonrpc2.Call:
			switch m.Method() {
			case "initialize":
				if f := os.Getenv("LSP_FAKE_GOPLS_DIE_ONCE"); f != "" && os.Remove(f) == nil {
					os.Exit(4) // dies initializing, once
				}
				reply(m.ID(), `{"capabilities":{"positionEncoding":"utf-16","textDocumentSync":2,"codeActionProvider":true},"serverInfo":{"name":"fake gopls"}}`)
			case "shutdown":
				reply(m.ID(), "null")
			case "textDocument/codeAction":
				reply(m.ID(), `[{"title":"gopls: organize imports","kind":"source.organizeImports"}]`)
			case "fake/echo":
				reply(m.ID(), string(m.Params()))
			case "fake/hang":
			default:
				s.Write(ctx, jsonrpc2.NewResponse(m.ID(), nil, jsonrpc2.NewError(jsonrpc2.MethodNotFound, m.Method())))
			}
		case *jsonrpc2.Notification:
			var p struct {
				TextDocument struct {
					URI     string
					Version int32
				}
			}
			json.Unmarshal(m.Params(), &p)
			switch m.Method() {
			case "textDocument/didOpen", "textDocument/didChange":
				publish(p.TextDocument.URI, p.TextDocument.Version)
			case "fake/ask":
				s.Write(ctx, jsonrpc2.NewCall(jsonrpc2.NewStringID("ask-1"), "workspace/configuration", jsonrpc2.RawMessage(`{"items":[{"section":"gopls"}]}`)))
			case "exit":
				os.Exit(0)
			}
		case *jsonrpc2.Response:
			s.Write(ctx, jsonrpc2.NewNotification("fake/answered", m.Result()))
		}
	}
}

// Package lsptest is an LSP client for the tests of asyncgo lsp: it sends
// requests and notifications, answers the server's requests (with null,
// or an empty configuration), and keeps every notification for the test
// to wait on. Every wait is bounded.
package lsptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// Client is a test client over one stream.
type Client struct {
	t       testing.TB
	stream  jsonrpc2.Stream
	Timeout time.Duration // bound of every wait; default 60s

	mu      sync.Mutex
	nextID  int64
	waiting map[int64]chan *jsonrpc2.Response
	notes   []Notification
	changed chan struct{} // closed and replaced at each new notification
	closed  chan struct{}
	err     error
	// Errors are the responses with a null id (to malformed messages).
	Errors []*jsonrpc2.Error
}

// Notification is a notification the server sent.
type Notification struct {
	Method string
	Params json.RawMessage
	At     time.Time
}

// rwc joins a reader and a writer.
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

// New returns a client that reads the server's output from r and writes
// to the server's input w, and starts its reader.
func New(t testing.TB, r io.Reader, w io.Writer) *Client {
	c := &Client{
		t:       t,
		stream:  jsonrpc2.NewHeaderStream(rwc{r, w}),
		Timeout: 60 * time.Second,
		waiting: map[int64]chan *jsonrpc2.Response{},
		changed: make(chan struct{}),
		closed:  make(chan struct{}),
	}
	go c.read()
	return c
}

// Done is closed when the server's output ends.
func (c *Client) Done() <-chan struct{} { return c.closed }

func (c *Client) read() {
	defer close(c.closed)
	for {
		msg, _, err := c.stream.Read(context.Background())
		if err != nil {
			var rpcErr *jsonrpc2.Error
			if errors.As(err, &rpcErr) {
				c.t.Errorf("server sent a malformed message: %v", err)
				continue
			}
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
			return
		}
		switch m := msg.(type) {
		case *jsonrpc2.Response:
			n, ok := m.ID().Number()
			c.mu.Lock()
			ch := c.waiting[n]
			delete(c.waiting, n)
			if !ok || ch == nil {
				var e *jsonrpc2.Error
				if errors.As(m.Err(), &e) && !m.ID().IsValid() {
					c.Errors = append(c.Errors, e)
					c.signalLocked()
				}
				c.mu.Unlock()
				continue
			}
			c.mu.Unlock()
			ch <- m
		case *jsonrpc2.Notification:
			c.mu.Lock()
			c.notes = append(c.notes, Notification{m.Method(), json.RawMessage(append([]byte(nil), m.Params()...)), time.Now()})
			c.signalLocked()
			c.mu.Unlock()
		case *jsonrpc2.Call:
			result := json.RawMessage("null")
			if m.Method() == "workspace/configuration" {
				var p struct{ Items []json.RawMessage }
				json.Unmarshal(m.Params(), &p)
				empty := make([]map[string]any, len(p.Items))
				for i := range empty {
					empty[i] = map[string]any{}
				}
				result, _ = json.Marshal(empty)
			}
			c.stream.Write(context.Background(), jsonrpc2.NewResponse(m.ID(), jsonrpc2.RawMessage(result), nil))
		}
	}
}

func (c *Client) signalLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Call sends a request and returns its result, or the error response.
func (c *Client) Call(method string, params any) (json.RawMessage, error) {
	c.t.Helper()
	p, err := json.Marshal(params)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan *jsonrpc2.Response, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	if _, err := c.stream.Write(context.Background(), jsonrpc2.NewCall(jsonrpc2.NewNumberID(id), method, p)); err != nil {
		c.t.Fatalf("sending %s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Err() != nil {
			return nil, r.Err()
		}
		return json.RawMessage(r.Result()), nil
	case <-c.closed:
		c.t.Fatalf("%s: the server's output ended before its response", method)
	case <-time.After(c.Timeout):
		c.t.Fatalf("%s: no response after %v", method, c.Timeout)
	}
	return nil, nil
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) {
	c.t.Helper()
	p, err := json.Marshal(params)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.stream.Write(context.Background(), jsonrpc2.NewNotification(method, p)); err != nil {
		c.t.Fatalf("sending %s: %v", method, err)
	}
}

// Len is the number of notifications received so far: a mark for Await.
func (c *Client) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.notes)
}

// Await returns the first notification at index from or later for which
// ok returns true, failing the test if none comes within the timeout.
func (c *Client) Await(from int, what string, ok func(Notification) bool) Notification {
	c.t.Helper()
	deadline := time.After(c.Timeout)
	for {
		c.mu.Lock()
		for i := from; i < len(c.notes); i++ {
			if ok(c.notes[i]) {
				n := c.notes[i]
				c.mu.Unlock()
				return n
			}
		}
		from = len(c.notes)
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-c.closed:
			c.t.Fatalf("waiting for %s: the server's output ended", what)
		case <-deadline:
			c.t.Fatalf("waiting for %s: nothing after %v", what, c.Timeout)
		}
	}
}

// AwaitError waits for an error response with a null id.
func (c *Client) AwaitError(what string) *jsonrpc2.Error {
	c.t.Helper()
	deadline := time.After(c.Timeout)
	for {
		c.mu.Lock()
		if len(c.Errors) > 0 {
			e := c.Errors[0]
			c.mu.Unlock()
			return e
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			c.t.Fatalf("waiting for %s: nothing after %v", what, c.Timeout)
		}
	}
}

// Diagnostic is the part of an LSP diagnostic the tests look at.
type Diagnostic struct {
	Range struct {
		Start struct{ Line, Character int }
		End   struct{ Line, Character int }
	}
	Severity           int
	Source             string
	Code               any
	Message            string
	CodeDescription    *struct{ Href string }
	RelatedInformation []struct {
		Location struct{ URI string }
		Message  string
	}
}

// Published is a publishDiagnostics notification, decoded.
type Published struct {
	URI         string
	Version     *int
	Diagnostics []Diagnostic
}

// Diagnostics decodes a publishDiagnostics notification; ok is false for
// another notification.
func Diagnostics(n Notification) (p Published, ok bool) {
	if n.Method != "textDocument/publishDiagnostics" {
		return p, false
	}
	if err := json.Unmarshal(n.Params, &p); err != nil {
		panic(fmt.Sprintf("publishDiagnostics params %s: %v", n.Params, err))
	}
	return p, true
}

// Has reports whether p has a diagnostic whose source has the prefix
// source and for which ok (if not nil) is true.
func (p Published) Has(source string, ok func(Diagnostic) bool) bool {
	for _, d := range p.Diagnostics {
		if len(d.Source) >= len(source) && d.Source[:len(source)] == source && (ok == nil || ok(d)) {
			return true
		}
	}
	return false
}

// WriteRaw writes bytes to the server as they are (for malformed input).
func WriteRaw(w io.Writer, data string) error {
	_, err := io.WriteString(w, data)
	return err
}

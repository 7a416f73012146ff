// Package bug is a held-out kernel (issue 14): handleToolRequests runs
// every tool request of a model response in its own goroutine, each of
// which sends its result on an unbuffered channel; when one tool fails the
// collecting loop returns on that error, and every tool goroutine that had
// not yet delivered its result blocks for ever on its send.
//
// Upstream: genkit-ai/genkit#5483 ("fix(go): prevent goroutine leak on tool error")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: handleToolRequests counts the tool requests, makes resultChan
// without a buffer and starts one goroutine per tool-request part. Each
// goroutine looks the tool up (sending a not-found error if it is
// missing), runs it through the runTool hook chain, and sends a result
// carrying either the output or the error (an interrupt error is marked
// on the revised message first). The caller receives toolCount results,
// but returns at the first error that is not an interrupt: the goroutines
// still running then have nobody to receive their results. The registry,
// the Part/ToolRequest types and the interrupt metadata are reduced; the
// streaming callback and the building of the next request are kept in
// outline.
//
// Fix (genkit-ai/genkit#5483): resultChan has a buffer of toolCount, so
// every tool goroutine can deliver its result and exit whether or not the
// caller is still receiving.
package bug

import (
	"context"
	"errors"
	"fmt"
)

// ToolRequest asks the model's caller to run a tool.
type ToolRequest struct {
	Name  string
	Ref   string
	Input any
}

// MultipartToolResponse is what a tool returns.
type MultipartToolResponse struct {
	Output  any
	Content []*Part
}

// Part is one part of a message.
type Part struct {
	Text        string
	ToolRequest *ToolRequest
	Output      any
	Metadata    map[string]any
}

// IsToolRequest reports whether the part asks for a tool.
func (p *Part) IsToolRequest() bool { return p.ToolRequest != nil }

// Message is a model or tool message.
type Message struct {
	Role    string
	Content []*Part
}

// ModelRequest is a request to the model.
type ModelRequest struct{ Messages []*Message }

// ModelResponse is the model's answer.
type ModelResponse struct{ Message *Message }

// ToolRequests returns the tool requests of the response.
func (mr *ModelResponse) ToolRequests() []*ToolRequest {
	var reqs []*ToolRequest
	for _, p := range mr.Message.Content {
		if p.IsToolRequest() {
			reqs = append(reqs, p.ToolRequest)
		}
	}
	return reqs
}

// Tool is a registered tool.
type Tool interface {
	Name() string
}

// Registry holds the registered tools.
type Registry struct{ tools map[string]Tool }

// LookupTool returns the tool of that name, or nil.
func LookupTool(r *Registry, name string) Tool { return r.tools[name] }

type toolInterruptError struct{ Metadata map[string]any }

func (e *toolInterruptError) Error() string { return "tool interrupted" }

type result[T any] struct {
	index int
	value T
	err   error
}

type toolRunnerFunc = func(ctx context.Context, tool Tool, req *ToolRequest) (*MultipartToolResponse, error)

// ModelStreamCallback receives streamed chunks.
type ModelStreamCallback = func(ctx context.Context, content []*Part) error

func clonePart(p *Part) *Part {
	c := *p
	c.Metadata = make(map[string]any, len(p.Metadata))
	for k, v := range p.Metadata {
		c.Metadata[k] = v
	}
	return &c
}

// handleToolRequests runs the response's tool requests and returns the
// next request to send to the model, or the revised message when a tool
// interrupted.
func handleToolRequests(ctx context.Context, r *Registry, req *ModelRequest, resp *ModelResponse, cb ModelStreamCallback, runTool toolRunnerFunc) (*ModelRequest, *Message, error) {
	toolCount := len(resp.ToolRequests())
	if toolCount == 0 {
		return nil, nil, nil
	}

	resultChan := make(chan result[*MultipartToolResponse])
	revisedMsg := &Message{Role: resp.Message.Role, Content: append([]*Part(nil), resp.Message.Content...)}

	for i, part := range revisedMsg.Content {
		if !part.IsToolRequest() {
			continue
		}
		go func(idx int, p *Part) {
			toolReq := p.ToolRequest
			tool := LookupTool(r, toolReq.Name)
			if tool == nil {
				resultChan <- result[*MultipartToolResponse]{index: idx, err: fmt.Errorf("tool %q not found", toolReq.Name)} // heldout:site
				return
			}
			out, err := runTool(ctx, tool, toolReq)
			if err != nil {
				var tie *toolInterruptError
				if errors.As(err, &tie) {
					np := clonePart(p)
					np.Metadata["interrupt"] = true
					revisedMsg.Content[idx] = np
					resultChan <- result[*MultipartToolResponse]{index: idx, err: tie} // heldout:site
					return
				}
				resultChan <- result[*MultipartToolResponse]{index: idx, err: fmt.Errorf("tool %q failed: %v", toolReq.Name, err)} // heldout:site
				return
			}
			np := clonePart(p)
			np.Metadata["pendingOutput"] = out.Output
			revisedMsg.Content[idx] = np
			resultChan <- result[*MultipartToolResponse]{index: idx, value: out} // heldout:site
		}(i, part)
	}

	var toolResps []*Part
	hasInterrupts := false
	for range toolCount {
		res := <-resultChan
		if res.err != nil {
			var tie *toolInterruptError
			if errors.As(res.err, &tie) {
				hasInterrupts = true
				continue
			}
			return nil, nil, res.err // heldout:site
		}
		toolReq := revisedMsg.Content[res.index].ToolRequest
		toolResps = append(toolResps, &Part{Text: toolReq.Name, Output: res.value.Output})
	}

	if hasInterrupts {
		return nil, revisedMsg, nil
	}

	toolMsg := &Message{Role: "tool", Content: toolResps}
	if cb != nil {
		if err := cb(ctx, toolMsg.Content); err != nil {
			return nil, nil, fmt.Errorf("streaming callback failed: %w", err)
		}
	}
	newReq := &ModelRequest{Messages: append(append([]*Message(nil), req.Messages...), resp.Message, toolMsg)}
	return newReq, nil, nil
}

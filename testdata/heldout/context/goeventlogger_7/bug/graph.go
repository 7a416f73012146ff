// Package bug is a held-out kernel (issue 14): an event logger routes each
// event through a graph of nodes, one goroutine per node, and collects the
// nodes' statuses on an unbuffered channel until they are all in or the
// caller's context is done; when the context ends first, the node
// goroutines still to report block for ever on their sends, and so does
// the goroutine waiting to close the channel.
//
// Upstream: hashicorp/go-eventlogger#7 ("Fix race/deadlock/goroutine leak when context cancelled.")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: graph.process makes `statusChan := make(chan Status)`, starts a
// goroutine that calls doProcess for every root (adding to a WaitGroup),
// waits on the WaitGroup and closes statusChan, and itself loops selecting
// on ctx.Done() and statusChan. doProcess runs the node, starts a
// goroutine per child for a linkable node, and reports a sink's success
// or a node's error with a plain `statusChan <- Status{...}`. Once
// process has returned on ctx.Done() nobody receives: every pending
// doProcess blocks in its send, never reaches wg.Done, and the closer
// blocks in wg.Wait. The PR gives only its title; the sends without a
// ctx.Done case are our reading of graph.go before it, and filter nodes
// (events dropped on the way) are left out.
//
// Fix: each status send is a select that also receives from ctx.Done().
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Event is a logged event.
type Event struct {
	Type    string
	Payload interface{}
}

// Status is what the sinks did with an event.
type Status struct {
	Warnings    []error
	SentToSinks []string
}

// GetError returns an error if fewer than threshold sinks stored the
// event.
func (s Status) GetError(threshold int) error {
	if len(s.SentToSinks) < threshold {
		return fmt.Errorf("event not written to enough sinks: %v", errors.Join(s.Warnings...))
	}
	return nil
}

// Node is one step of a pipeline: a filter, a formatter or a sink.
type Node interface {
	Process(ctx context.Context, e *Event) (*Event, error)
	Name() string
}

// LinkableNode is a node with children.
type LinkableNode interface {
	Node
	Next() []Node
}

// PipelineID names a pipeline.
type PipelineID string

type graph struct {
	// roots maps PipelineIDs to root Nodes
	roots map[PipelineID]Node

	// successThreshold specifies how many sinks must store an event for
	// Process to not return an error.
	successThreshold int
}

// process routes e through all of the graph's nodes, starting with the
// root nodes.
func (g *graph) process(ctx context.Context, e *Event) (Status, error) {
	statusChan := make(chan Status)
	var wg sync.WaitGroup
	go func() {
		for _, root := range g.roots {
			wg.Add(1)
			g.doProcess(ctx, root, e, statusChan, &wg)
		}
		wg.Wait() // heldout:site
		close(statusChan)
	}()
	var status Status
	var done bool
	for !done {
		select {
		case <-ctx.Done():
			done = true // heldout:site
		case s, ok := <-statusChan:
			if ok {
				status.Warnings = append(status.Warnings, s.Warnings...)
				status.SentToSinks = append(status.SentToSinks, s.SentToSinks...)
			} else {
				done = true
			}
		}
	}
	return status, status.GetError(g.successThreshold)
}

// doProcess processes node and, depth first, its children.
func (g *graph) doProcess(ctx context.Context, node Node, e *Event, statusChan chan Status, wg *sync.WaitGroup) {
	defer wg.Done()

	e, err := node.Process(ctx, e)
	if err != nil {
		statusChan <- Status{Warnings: []error{err}} // heldout:site
		return
	}

	if ln, ok := node.(LinkableNode); ok {
		for _, child := range ln.Next() {
			wg.Add(1)
			go g.doProcess(ctx, child, e, statusChan, wg)
		}
	} else {
		statusChan <- Status{SentToSinks: []string{node.Name()}} // heldout:site
	}
}

// Broker sends events to the graph registered for their type.
type Broker struct {
	mu     sync.RWMutex
	graphs map[string]*graph
}

// Send processes e through the graph for its type.
func (b *Broker) Send(ctx context.Context, e *Event) (Status, error) {
	b.mu.RLock()
	g, ok := b.graphs[e.Type]
	b.mu.RUnlock()
	if !ok {
		return Status{}, fmt.Errorf("no graph for event type %q", e.Type)
	}
	return g.process(ctx, e)
}

// Package fixed is the fixed version of context/goeventlogger_7: a node
// reports its status in a select that also watches the context, so it
// returns once process has stopped listening.
package fixed

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
		wg.Wait()
		close(statusChan)
	}()
	var status Status
	var done bool
	for !done {
		select {
		case <-ctx.Done():
			done = true
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
		select {
		case <-ctx.Done():
		case statusChan <- Status{Warnings: []error{err}}:
		}
		return
	}

	if ln, ok := node.(LinkableNode); ok {
		for _, child := range ln.Next() {
			wg.Add(1)
			go g.doProcess(ctx, child, e, statusChan, wg)
		}
	} else {
		select {
		case <-ctx.Done():
		case statusChan <- Status{SentToSinks: []string{node.Name()}}:
		}
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

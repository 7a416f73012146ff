// Package bug is a held-out kernel (issue 14): the JSON exporter starts
// the server's event stream in a goroutine and waits on a ready wait
// group that the stream marks Done once its listener is registered; the
// stream's early error returns (a bad allow or deny filter) skip that
// Done, so Start waits for ever and the agent hangs at startup.
//
// Upstream: cilium/tetragon#2119 ("exporter: fix hang when exporter fails to start")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: Exporter.Start does readyWG.Add(1), runs
// server.GetEventsWG(request, e, closer, &readyWG) in a goroutine and
// calls readyWG.Wait(). GetEventsWG builds the allow list, the deny list
// and the aggregator, returning the error of any that fails, and only
// after them adds its listener and calls readyWG.Done(). The PR: "this
// WaitGroup never gets set to Done when we encounter an error while
// starting the exporter". Filters, the listener and the event loop are
// reduced; the nil check on readyWG is upstream's.
//
// Fix: each early error return of GetEventsWG calls readyWG.Done() first
// (when readyWG is not nil).
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Event is one event response.
type Event struct{ Kind string }

// Filter keeps or drops events.
type Filter func(*Event) bool

// GetEventsRequest says which events to stream.
type GetEventsRequest struct {
	AllowList []string
	DenyList  []string
	Aggregate bool
}

// Stream is where events are sent.
type Stream interface {
	Send(*Event) error
	Context() context.Context
}

// Server fans events out to its listeners.
type Server struct {
	mu        sync.Mutex
	listeners map[chan *Event]struct{}
}

// NewServer returns a server with no listeners.
func NewServer() *Server { return &Server{listeners: map[chan *Event]struct{}{}} }

func buildFilterList(names []string) ([]Filter, error) {
	var fs []Filter
	for _, n := range names {
		if n == "" {
			return nil, errors.New("empty filter")
		}
		kind := n
		fs = append(fs, func(e *Event) bool { return e.Kind == kind })
	}
	return fs, nil
}

// GetEventsWG streams events to stream, and marks readyWG Done once its
// listener is registered.
func (s *Server) GetEventsWG(request *GetEventsRequest, stream Stream, readyWG *sync.WaitGroup) error {
	allowList, err := buildFilterList(request.AllowList)
	if err != nil {
		return err // heldout:site
	}
	denyList, err := buildFilterList(request.DenyList)
	if err != nil {
		return err // heldout:site
	}
	if request.Aggregate && len(allowList) == 0 {
		return errors.New("aggregation needs an allow list") // heldout:site
	}

	l := make(chan *Event, 100)
	s.mu.Lock()
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()

	if readyWG != nil {
		readyWG.Done()
	}
	for {
		select {
		case ev := <-l:
			if !match(ev, allowList, denyList) {
				continue
			}
			if err := stream.Send(ev); err != nil {
				return err
			}
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
}

func match(ev *Event, allow, deny []Filter) bool {
	for _, f := range deny {
		if f(ev) {
			return false
		}
	}
	if len(allow) == 0 {
		return true
	}
	for _, f := range allow {
		if f(ev) {
			return true
		}
	}
	return false
}

// Exporter writes the event stream to a file.
type Exporter struct {
	ctx     context.Context
	request *GetEventsRequest
	server  *Server
	out     []*Event
}

// Send encodes one event.
func (e *Exporter) Send(ev *Event) error { e.out = append(e.out, ev); return nil }

// Context is the exporter's context.
func (e *Exporter) Context() context.Context { return e.ctx }

// Start returns once the exporter's stream is listening.
func (e *Exporter) Start() error {
	var readyWG sync.WaitGroup
	var exporterStartErr error
	readyWG.Add(1)
	go func() {
		if err := e.server.GetEventsWG(e.request, e, &readyWG); err != nil {
			exporterStartErr = fmt.Errorf("error starting JSON exporter: %w", err)
		}
	}()
	readyWG.Wait() // heldout:site

	return exporterStartErr
}

package s27locks

import (
	"context"
	"sync"
)

// The owner's lock sits in a struct it embeds; a wrapper made for its
// discovery slot, by an exported constructor the package's users call,
// goes back to the owner through a field of a struct value it holds.
type API interface {
	Entry(ctx context.Context) error
}

type Common struct {
	sessMu   sync.Mutex
	sessions map[string]int
	dc       API
}

type Client struct {
	Common
}

func (c *Client) count() int {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	return len(c.sessions)
}

type transport struct {
	owner *Client
}

func (t transport) roundTrip() error {
	if t.owner.count() == 0 {
		return context.Canceled
	}
	return nil
}

type wrapped struct {
	tr transport
}

func (w *wrapped) Entry(ctx context.Context) error { return w.tr.roundTrip() }

// NewWrapped wraps c's own transport for c's discovery slot.
func NewWrapped(c *Client) API {
	return &wrapped{tr: transport{owner: c}}
}

func (c *Client) refresh(ctx context.Context) error {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	return c.dc.Entry(ctx) // want `c.Common.dc.tr&.owner.Common.sessMu is locked inside c.Common.dc.Entry \(line \d+\) while this goroutine holds c.Common.sessMu \(locked at line \d+\), by lock class s27locks.Common.sessMu: the path goes back to the owner through the back-pointer s27locks.transport.owner`
}

// Look-alike: the refresh releases the lock before the discovery call.
func (c *Client) refreshUnlocked(ctx context.Context) error {
	c.sessMu.Lock()
	n := len(c.sessions)
	c.sessMu.Unlock()
	if n == 0 {
		return nil
	}
	return c.dc.Entry(ctx)
}

// Look-alike: a constructor whose result is no field type of the owner
// (a helper for something else) sets no back-pointer by that rule.
type Server struct {
	Common
	peer API
}

type Monitor struct{ w *watcher }

type watcher struct {
	tr transport2
}

type transport2 struct {
	srv *Server
}

func (w *watcher) poke() {
	w.tr.srv.sessMu.Lock()
	w.tr.srv.sessMu.Unlock()
}

// NewMonitor watches s; a Monitor is no field of a Server.
func NewMonitor(s *Server) *Monitor { return &Monitor{w: &watcher{tr: transport2{srv: s}}} }

func (s *Server) check(m *Monitor) {
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	m.w.poke()
}

// Look-alike: the constructor is called in the package, and its result is
// kept apart from the owner it was given: the package shows where it goes.
type Upstream interface {
	Sync(ctx context.Context) error
}

type Agent struct {
	Common
	up Upstream
}

type agentWrap struct{ tr transport3 }

type transport3 struct{ a *Agent }

func (w *agentWrap) Sync(ctx context.Context) error {
	w.tr.a.sessMu.Lock()
	w.tr.a.sessMu.Unlock()
	return nil
}

// NewAgentWrap wraps a for another agent's upstream slot.
func NewAgentWrap(a *Agent) Upstream { return &agentWrap{tr: transport3{a: a}} }

func chain(a, b *Agent) {
	b.up = NewAgentWrap(a)
}

func (a *Agent) sync(ctx context.Context) error {
	a.sessMu.Lock()
	defer a.sessMu.Unlock()
	return a.up.Sync(ctx)
}

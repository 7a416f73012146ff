// Package bug is a held-out kernel (issue 14): a swarmkit manager's Stop
// first waits for the started channel, which Run closes only after the
// raft node has joined and started, so when JoinAndStart fails Run returns
// without closing it and every later Stop blocks for ever; the metrics
// collector, made before raft started and run only after, would block Stop
// a second time on its done channel.
//
// Upstream: moby/swarmkit#2203 ("manager: Fix hanging Stop method")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: Manager.Run cancels its context and returns the error when
// raftNode.JoinAndStart fails; close(m.started) comes only after the
// join, once the collector goroutine is running. Stop begins with
// `<-m.started` ("it's not safe to start shutting down while the manager
// is still starting up"), so the node's shutdown after a failed manager
// initialisation hangs there. Past that, Stop calls m.collector.Stop(),
// which closes the collector's stop channel and waits for doneChan, which
// only the collector's Run closes, and Run was never started. The gRPC
// servers are reduced to one Server interface, the orchestrators and the
// dispatcher to a Stopper list, the raft node to a small struct; where the collector was made
// before the fix is our reading of the PR ("fix the way the collector is
// initialized so its Stop method won't hang").
//
// Fix: Run closes m.started before returning the JoinAndStart error, and
// the collector is made only where it is started, with Stop skipping a nil
// collector.
package bug

import (
	"context"
	"fmt"
	"sync"
)

// Stopper is a manager subsystem.
type Stopper interface {
	Stop()
}

// Node is the manager's raft node.
type Node struct {
	join       func(ctx context.Context) error
	cancelOnce sync.Once
	stopped    chan struct{}
	done       chan struct{}
}

// NewNode returns a raft node whose join step is join.
func NewNode(join func(ctx context.Context) error) *Node {
	return &Node{join: join, stopped: make(chan struct{}), done: make(chan struct{})}
}

// JoinAndStart joins the cluster (or bootstraps it) and starts the node.
func (n *Node) JoinAndStart(ctx context.Context) error {
	if err := n.join(ctx); err != nil {
		n.Cancel()
		close(n.done)
		return err
	}
	return nil
}

// Run runs the raft loop until the node is cancelled.
func (n *Node) Run(ctx context.Context) error {
	defer close(n.done)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-n.stopped:
		return nil
	}
}

// Cancel stops the node.
func (n *Node) Cancel() {
	n.cancelOnce.Do(func() { close(n.stopped) })
}

// Done is closed once the node has stopped.
func (n *Node) Done() <-chan struct{} { return n.done }

// Collector gathers cluster metrics from the store.
type Collector struct {
	stopChan chan struct{}
	doneChan chan struct{}
}

// NewCollector returns a collector.
func NewCollector() *Collector {
	return &Collector{stopChan: make(chan struct{}), doneChan: make(chan struct{})}
}

// Run collects until Stop.
func (c *Collector) Run(ctx context.Context) error {
	defer close(c.doneChan)
	select {
	case <-c.stopChan:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop stops Run and waits for it.
func (c *Collector) Stop() {
	close(c.stopChan)
	<-c.doneChan // heldout:site
}

// Server is the manager's gRPC server.
type Server interface {
	// Serve serves until Stop is called or serving fails.
	Serve() error
	Stop()
}

// Manager is a swarm manager.
type Manager struct {
	server     Server
	raftNode   *Node
	subsystems []Stopper
	collector  *Collector
	cancelFunc context.CancelFunc
	errServe   chan error

	started chan struct{}
	mu      sync.Mutex
	stopped bool
}

// New returns a manager.
func New(server Server, node *Node, subsystems ...Stopper) *Manager {
	return &Manager{
		server:     server,
		raftNode:   node,
		subsystems: subsystems,
		collector:  NewCollector(),
		errServe:   make(chan error, 2),
		started:    make(chan struct{}),
	}
}

// Run starts the manager's subsystems; it returns when serving fails or
// Stop is called.
func (m *Manager) Run(parent context.Context) error {
	ctx, ctxCancel := context.WithCancel(parent)
	defer ctxCancel()

	m.cancelFunc = ctxCancel

	go func() {
		m.errServe <- m.server.Serve()
	}()

	if err := m.raftNode.JoinAndStart(ctx); err != nil {
		return fmt.Errorf("can't initialize raft node: %w", err) // heldout:site
	}

	go func(collector *Collector) {
		collector.Run(ctx)
	}(m.collector)

	close(m.started)

	go func() {
		if err := m.raftNode.Run(ctx); err != nil {
			m.Stop(ctx)
		}
	}()

	select {
	case err := <-m.errServe:
		m.mu.Lock()
		stopped := m.stopped
		m.mu.Unlock()
		if stopped {
			return nil
		}
		m.Stop(ctx)
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop stops the manager.
func (m *Manager) Stop(ctx context.Context) {
	// It's not safe to start shutting down while the manager is still
	// starting up.
	<-m.started // heldout:site

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return
	}
	m.stopped = true

	m.server.Stop()
	m.raftNode.Cancel()
	m.collector.Stop()
	for _, s := range m.subsystems {
		s.Stop()
	}

	m.cancelFunc()
	<-m.raftNode.Done()
}

// runManager is the node's manager loop: it runs the manager and stops it
// once Run has returned.
func runManager(ctx context.Context, m *Manager) error {
	err := m.Run(ctx)
	m.Stop(ctx)
	return err
}

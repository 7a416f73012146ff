// Package bug is a held-out kernel (issue 14): on SIGTERM headscale shuts
// its HTTP server down and then waits on a WaitGroup for every open
// long-poll map session; a session only ends when its client goes away or
// its update channel is closed, and nothing closes those channels, so the
// shutdown waits for ever (until systemd kills the process).
//
// Upstream: juanfont/headscale#2113 ("Fix slow shutdown")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: each /machine/map long poll adds to h.pollNetMapStreamWG, registers
// its update channel with the notifier (AddNode) and loops in
// serveLongPoll, selecting on the request context, its cancel channel,
// the update channel and a keep-alive ticker. Serve's shutdown path calls
// httpServer.Shutdown (which does not cancel the contexts of active
// handlers; it waits for them, up to its timeout) and then
// h.pollNetMapStreamWG.Wait(). Issue #1968: "By debugging, I found that
// blocking at h.pollNetMapStreamWG.Wait()". The PR: "we were waiting for
// connections to close, without telling them to close". Tailscale's
// map-response encoding, the batcher and the gRPC servers are left out;
// the HTTP server and the client stream are interfaces.
//
// Fix: shutdown first calls nodeNotifier.Close, which marks the notifier
// closed and closes every registered node channel; serveLongPoll returns
// when its channel is closed, and the notifier stops sending (and
// registering) once closed.
package bug

import (
	"context"
	"log"
	"sync"
	"time"
)

// HTTPShutdownTimeout bounds the HTTP server's graceful shutdown.
const HTTPShutdownTimeout = 3 * time.Second

// StateUpdate is a change to push to a node.
type StateUpdate struct {
	Type    int
	Message string
}

// Notifier fans state updates out to the connected nodes.
type Notifier struct {
	l     sync.RWMutex
	nodes map[string]chan<- StateUpdate
}

// NewNotifier returns an empty notifier.
func NewNotifier() *Notifier {
	return &Notifier{nodes: make(map[string]chan<- StateUpdate)}
}

// AddNode registers a node's update channel.
func (n *Notifier) AddNode(machineKey string, c chan<- StateUpdate) {
	n.l.Lock()
	defer n.l.Unlock()
	n.nodes[machineKey] = c
}

// RemoveNode unregisters a node's update channel.
func (n *Notifier) RemoveNode(machineKey string) {
	n.l.Lock()
	defer n.l.Unlock()
	delete(n.nodes, machineKey)
}

// NotifyAll sends update to every node, giving up when ctx is done.
func (n *Notifier) NotifyAll(ctx context.Context, update StateUpdate) {
	n.l.RLock()
	defer n.l.RUnlock()
	for key, c := range n.nodes {
		select {
		case <-ctx.Done():
			log.Printf("update not sent to %s, context cancelled", key)
			return
		case c <- update:
		}
	}
}

// MapResponseWriter is the client's streaming HTTP response.
type MapResponseWriter interface {
	Write(p []byte) error
}

// HTTPServer is the main HTTP server.
type HTTPServer interface {
	Shutdown(ctx context.Context) error
}

// Headscale is the control server.
type Headscale struct {
	nodeNotifier       *Notifier
	httpServer         HTTPServer
	pollNetMapStreamWG sync.WaitGroup
}

type mapSession struct {
	h         *Headscale
	ctx       context.Context // the request's, done when the client goes away
	machine   string
	ch        chan StateUpdate
	cancelCh  chan struct{}
	w         MapResponseWriter
	keepAlive time.Duration
}

// PollNetMap is the /machine/map handler for a streaming client.
func (h *Headscale) PollNetMap(ctx context.Context, machine string, w MapResponseWriter) {
	m := &mapSession{
		h:         h,
		ctx:       ctx,
		machine:   machine,
		ch:        make(chan StateUpdate),
		cancelCh:  make(chan struct{}),
		w:         w,
		keepAlive: 60 * time.Second,
	}
	h.pollNetMapStreamWG.Add(1)
	defer h.pollNetMapStreamWG.Done()
	m.serveLongPoll()
}

func (m *mapSession) serveLongPoll() {
	m.h.nodeNotifier.AddNode(m.machine, m.ch)
	defer m.h.nodeNotifier.RemoveNode(m.machine)

	keepAliveTicker := time.NewTicker(m.keepAlive)
	defer keepAliveTicker.Stop()

	for {
		select {
		case <-m.cancelCh:
			return
		case <-m.ctx.Done():
			return
		case update := <-m.ch:
			if err := m.w.Write([]byte(update.Message)); err != nil {
				return
			}
		case <-keepAliveTicker.C:
			if err := m.w.Write([]byte("keep-alive")); err != nil {
				return
			}
		}
	}
}

// Shutdown is Serve's path on SIGTERM.
func (h *Headscale) Shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), HTTPShutdownTimeout)
	defer cancel()

	log.Printf("shutting down main http server")
	if err := h.httpServer.Shutdown(ctx); err != nil {
		log.Printf("failed to shutdown http: %v", err)
	}

	log.Printf("waiting for netmap stream to close")
	h.pollNetMapStreamWG.Wait() // heldout:site
}

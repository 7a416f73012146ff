// Package fixed is the fixed version of close/headscale_2113: shutdown closes
// the notifier, which closes every node's update channel, so each long poll
// returns and the WaitGroup reaches zero.
package fixed

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
	l      sync.RWMutex
	nodes  map[string]chan<- StateUpdate
	closed bool
}

// Close stops the notifier and closes every node channel, telling the
// sessions to end.
func (n *Notifier) Close() {
	n.l.Lock()
	defer n.l.Unlock()
	n.closed = true
	for _, c := range n.nodes {
		close(c)
	}
}

// NewNotifier returns an empty notifier.
func NewNotifier() *Notifier {
	return &Notifier{nodes: make(map[string]chan<- StateUpdate)}
}

// AddNode registers a node's update channel.
func (n *Notifier) AddNode(machineKey string, c chan<- StateUpdate) {
	n.l.Lock()
	defer n.l.Unlock()
	if n.closed {
		close(c)
		return
	}
	n.nodes[machineKey] = c
}

// RemoveNode unregisters a node's update channel.
func (n *Notifier) RemoveNode(machineKey string) {
	n.l.Lock()
	defer n.l.Unlock()
	if n.closed {
		return
	}
	delete(n.nodes, machineKey)
}

// NotifyAll sends update to every node, giving up when ctx is done.
func (n *Notifier) NotifyAll(ctx context.Context, update StateUpdate) {
	n.l.RLock()
	defer n.l.RUnlock()
	if n.closed {
		return
	}
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
		case update, ok := <-m.ch:
			if !ok {
				// the notifier is closing: headscale is shutting down
				return
			}
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

	log.Printf("closing node notifier")
	h.nodeNotifier.Close()

	log.Printf("waiting for netmap stream to close")
	h.pollNetMapStreamWG.Wait()
}

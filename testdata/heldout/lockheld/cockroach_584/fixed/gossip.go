// Package fixed is the fixed version of lockheld/cockroach_584: the
// bootstrap loop unlocks g.mu before breaking out on a closed Gossip.
//
// Upstream: cockroachdb/cockroach#584 ("Call g.mu.Unlock() before calling break")
// Round: 19
package fixed

import (
	"errors"
	"math/rand"
	"sync"
	"time"
)

// ErrNotFound is returned for an unknown gossip key.
var ErrNotFound = errors.New("gossip: key not found")

// KeySentinel is the key whose presence tells the node it is connected to
// the gossip network.
const KeySentinel = "sentinel"

type client struct {
	addr string
}

// Gossip connects a node to the gossip network.
type Gossip struct {
	mu         sync.Mutex
	closed     bool
	stalled    *sync.Cond // signalled when bootstrapping is needed again
	infos      map[string]any
	outgoing   map[string]*client
	bootstraps []string
	interval   time.Duration
	done       chan struct{}
}

// New returns a gossip instance using the given bootstrap hosts.
func New(bootstraps []string, interval time.Duration) *Gossip {
	g := &Gossip{
		infos:      map[string]any{},
		outgoing:   map[string]*client{},
		bootstraps: bootstraps,
		interval:   interval,
		done:       make(chan struct{}),
	}
	g.stalled = sync.NewCond(&g.mu)
	return g
}

// Start launches the bootstrap and manage loops.
func (g *Gossip) Start() {
	go g.bootstrap()
	go g.manage()
}

// AddInfo records a gossip value.
func (g *Gossip) AddInfo(key string, val any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.infos[key] = val
}

// GetInfo returns a gossip value.
func (g *Gossip) GetInfo(key string) (any, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if v, ok := g.infos[key]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}

// Stop shuts the gossip instance down.
func (g *Gossip) Stop() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	g.outgoing = map[string]*client{}
	close(g.done)
	g.stalled.Broadcast()
	g.mu.Unlock()
}

func (g *Gossip) parseBootstrapAddresses() []string {
	var avail []string
	for _, addr := range g.bootstraps {
		if _, ok := g.outgoing[addr]; !ok {
			avail = append(avail, addr)
		}
	}
	return avail
}

func (g *Gossip) startClient(addr string) {
	g.outgoing[addr] = &client{addr: addr}
}

// bootstrap connects the node to the gossip network whenever it has no
// clients or no sentinel, then waits on the stalled condition.
func (g *Gossip) bootstrap() {
	for {
		g.mu.Lock()
		avail := g.parseBootstrapAddresses()
		if g.closed {
			g.mu.Unlock()
			break
		}
		if len(avail) > 0 {
			_, haveSentinel := g.infos[KeySentinel]
			if len(g.outgoing) == 0 || !haveSentinel {
				g.startClient(avail[rand.Intn(len(avail))])
			}
		}
		// Block until we need bootstrapping again.
		g.stalled.Wait()
		g.mu.Unlock()
	}
}

// manage periodically checks connectivity and signals the bootstrapper.
func (g *Gossip) manage() {
	ticker := time.NewTicker(g.interval)
	defer ticker.Stop()
	for {
		select {
		case <-g.done:
			return
		case <-ticker.C:
			g.mu.Lock()
			_, haveSentinel := g.infos[KeySentinel]
			if len(g.outgoing) == 0 || !haveSentinel {
				g.stalled.Signal()
			}
			g.mu.Unlock()
		}
	}
}

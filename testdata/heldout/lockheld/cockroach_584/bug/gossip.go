// Package bug is a held-out kernel (issue 14): the gossip bootstrap loop
// breaks out on a closed Gossip with g.mu still held, so every later user
// of the gossip instance blocks on g.mu.
//
// Upstream: cockroachdb/cockroach#584 ("Call g.mu.Unlock() before calling break")
// Round: 19
//
// Bug: bootstrap locks g.mu at the top of each round, and when it finds
// g.closed set it breaks out of its loop without unlocking; the goroutine
// ends holding the lock. Stop sets g.closed and broadcasts the stalled
// condition to wake the loop, so the break is exactly the shutdown path:
// afterwards GetInfo, AddInfo, the manage loop's next check and a second
// Stop block forever on g.mu (the PR: "I'm guessing some of the goroutines
// might get into deadlock during shutdown. (We cannot use defer as Lock
// is called inside a for loop.)"). Reduced from gossip/gossip.go as of
// April 2015; the client set, the info store, the RPC context and the
// bootstrap address parsing are cut down to what the locking touches.
//
// Fix: bootstrap calls g.mu.Unlock() before the break.
package bug

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
	g.mu.Lock() // heldout:site
	defer g.mu.Unlock()
	g.infos[key] = val
}

// GetInfo returns a gossip value.
func (g *Gossip) GetInfo(key string) (any, error) {
	g.mu.Lock() // heldout:site
	defer g.mu.Unlock()
	if v, ok := g.infos[key]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}

// Stop shuts the gossip instance down.
func (g *Gossip) Stop() {
	g.mu.Lock() // heldout:site
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
			break // heldout:site
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
			g.mu.Lock() // heldout:site
			_, haveSentinel := g.infos[KeySentinel]
			if len(g.outgoing) == 0 || !haveSentinel {
				g.stalled.Signal()
			}
			g.mu.Unlock()
		}
	}
}

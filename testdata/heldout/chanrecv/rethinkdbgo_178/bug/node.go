// Package bug is a held-out kernel (issue 14): a cluster node whose
// refresh goroutine ranges over its ticker's channel, and whose Close only
// stops the ticker, which never closes that channel, so every node leaks
// its refresh goroutine for ever.
//
// Upstream: rethinkdb/rethinkdb-go#178 ("Use channel to stop the node.Refresh() goroutine")
// Round: 15
//
// Bug: NewNode stores a time.Ticker in n.refreshTicker and starts a
// goroutine that calls n.Refresh on every tick with for range
// n.refreshTicker.C. Close calls n.refreshTicker.Stop(); as the PR says,
// Stop does not close the ticker channel (and it cannot be closed, it is
// receive-only), so the goroutine waits in its range for ever and they
// pile up with every session opened. The pool and health types are our
// reduction.
//
// Fix: the node keeps a refreshDoneChan that Close closes; the goroutine
// selects on the tick and on that channel and stops its ticker itself.
package bug

import (
	"sync"
	"time"
)

// Host is a server address.
type Host struct {
	Name string
	Port int
}

// Pool is the node's connection pool.
type Pool struct {
	mu     sync.Mutex
	closed bool
}

// Ping checks one connection.
func (p *Pool) Ping() error { return nil }

// Close closes the pool.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}

// Cluster owns the nodes.
type Cluster struct {
	refreshInterval time.Duration
}

// Node is one server of the cluster.
type Node struct {
	ID   string
	Host Host

	cluster       *Cluster
	pool          *Pool
	refreshTicker *time.Ticker

	mu     sync.RWMutex
	closed bool
	health int64
}

// NewNode creates a node and starts refreshing it.
func NewNode(id string, host Host, cluster *Cluster, pool *Pool) *Node {
	n := &Node{
		ID:            id,
		Host:          host,
		cluster:       cluster,
		pool:          pool,
		refreshTicker: time.NewTicker(cluster.refreshInterval),
		health:        100,
	}
	go n.refreshLoop()
	return n
}

func (n *Node) refreshLoop() {
	for range n.refreshTicker.C { // heldout:site
		n.Refresh()
	}
}

// Refresh pings the server and updates the node's health.
func (n *Node) Refresh() {
	err := n.pool.Ping()
	n.mu.Lock()
	defer n.mu.Unlock()
	if err != nil {
		n.health -= 50
	} else {
		n.health = 100
	}
}

// Close closes the node's pool and stops refreshing.
func (n *Node) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	n.refreshTicker.Stop() // heldout:site
	return n.pool.Close()
}

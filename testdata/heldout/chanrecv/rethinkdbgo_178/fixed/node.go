// Package fixed is the fixed version of chanrecv/rethinkdbgo_178: Close
// closes a done channel that the refresh goroutine selects on.
package fixed

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

	cluster         *Cluster
	pool            *Pool
	refreshDoneChan chan struct{}

	mu     sync.RWMutex
	closed bool
	health int64
}

// NewNode creates a node and starts refreshing it.
func NewNode(id string, host Host, cluster *Cluster, pool *Pool) *Node {
	n := &Node{
		ID:              id,
		Host:            host,
		cluster:         cluster,
		pool:            pool,
		refreshDoneChan: make(chan struct{}),
		health:          100,
	}
	go n.refreshLoop(time.NewTicker(cluster.refreshInterval))
	return n
}

func (n *Node) refreshLoop(ticker *time.Ticker) {
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			n.Refresh()
		case <-n.refreshDoneChan:
			return
		}
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
	close(n.refreshDoneChan)
	return n.pool.Close()
}

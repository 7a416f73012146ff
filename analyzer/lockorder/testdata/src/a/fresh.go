package a

import (
	"sync"
	"time"
)

// Precision rule G (nats-server v2.15.2 server/gateway.go:843, createGateway):
// a lock on an object the function has just allocated and not yet made
// reachable by another goroutine orders nothing. createGateway holds the new
// client's mu while it read-locks reloadMu; ReloadOptions holds reloadMu and
// locks registered clients' mu, but the new client is registered only later,
// and the branch that hands it to a timer is not the one that reaches the
// RLock.

type FSrv struct {
	reloadMu sync.RWMutex
	mu       sync.Mutex
	clients  map[int]*FClient
	tmp      map[int]*FClient
}

type FClient struct {
	mu    sync.Mutex
	srv   *FSrv
	id    int
	cond  *sync.Cond
	timer *time.Timer
}

func (c *FClient) init() {
	c.cond = sync.NewCond(&c.mu)
	c.id = len(c.srv.clients)
}

func (c *FClient) authTimeout() {}

func (s *FSrv) reload() { // want reload:`^acquires class a.FClient.mu, acquires \{p0\}\.reloadMu$`
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	for _, c := range s.clients {
		c.mu.Lock()
		c.id++
		c.mu.Unlock()
	}
}

func (s *FSrv) create(solicit bool) { // want create:`^acquires \{p0\}\.mu, acquires \{p0\}\.reloadMu if \{p1\}$`
	c := &FClient{srv: s}
	c.mu.Lock()
	c.init()
	if !solicit {
		c.timer = time.AfterFunc(time.Second, c.authTimeout)
	}
	if solicit {
		s.reloadMu.RLock() // ok: c is not reachable by another goroutine yet
		s.reloadMu.RUnlock()
	}
	s.mu.Lock()
	s.tmp[c.id] = c
	s.mu.Unlock()
	c.mu.Unlock()
}

// The true positive beside it: the client is published (through a callee)
// before reloadMu is taken, so reload can be locking it.
type GSrv struct {
	reloadMu sync.RWMutex
	clients  map[int]*GClient
}

type GClient struct {
	mu  sync.Mutex
	srv *GSrv
	id  int
}

func (c *GClient) register() { c.srv.clients[c.id] = c }

func (s *GSrv) reload() { // want reload:`^acquires class a.GClient.mu, acquires \{p0\}\.reloadMu$`
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	for _, c := range s.clients {
		c.mu.Lock() // want `lock order inversion by lock class: reload locks s.reloadMu \(line \d+\) then s.clients\[…\].mu here, while create locks complit.mu \(line \d+\) then s.reloadMu`
		c.id++
		c.mu.Unlock()
	}
}

func (s *GSrv) create() { // want create:`^acquires \{p0\}\.reloadMu$`
	c := &GClient{srv: s}
	c.mu.Lock()
	c.register()
	s.reloadMu.RLock()
	s.reloadMu.RUnlock()
	c.mu.Unlock()
}

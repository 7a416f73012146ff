// Package bug is a held-out kernel (issue 14): a server that read-locks
// its remote-datacenter map, then reaches a helper that read-locks it
// again; a WAN membership update waiting to write-lock the map in between
// blocks the second RLock, and neither side moves.
//
// Upstream: hashicorp/consul#2130 ("Fix deadlock in Consul RTT.")
// Round: 5
//
// Bug: getDatacentersByDistance takes remoteLock.RLock and calls
// sortDatacentersByDistance, which calls getDatacenterDistance, which calls
// getNodesForDatacenter, which takes remoteLock.RLock again. If the serf
// WAN event handler has called remoteLock.Lock after the first RLock, the
// nested RLock waits behind that writer and the writer waits for the
// first RLock to be released. The PR lists the call chain; the types of
// the map and the coordinates are our reduction.
//
// Fix: getNodesForDatacenter no longer locks; its callers hold the lock.
package bug

import (
	"math"
	"sort"
	"sync"
)

// Coord is a network coordinate.
type Coord struct{ X, Y float64 }

func (c Coord) distance(o Coord) float64 { return math.Hypot(c.X-o.X, c.Y-o.Y) }

// ServerInfo is a server in some datacenter.
type ServerInfo struct {
	Name  string
	Coord Coord
}

// Server is a Consul server.
type Server struct {
	self          Coord
	remoteLock    sync.RWMutex
	remoteConsuls map[string][]*ServerInfo
}

// NewServer returns a server at coordinate self.
func NewServer(self Coord) *Server {
	return &Server{self: self, remoteConsuls: make(map[string][]*ServerInfo)}
}

// getNodesForDatacenter returns the servers of dc.
func (s *Server) getNodesForDatacenter(dc string) []*ServerInfo {
	s.remoteLock.RLock() // heldout:site
	defer s.remoteLock.RUnlock()
	return append([]*ServerInfo(nil), s.remoteConsuls[dc]...)
}

func (s *Server) getDatacenterDistance(dc string) float64 {
	servers := s.getNodesForDatacenter(dc)
	if len(servers) == 0 {
		return math.Inf(1)
	}
	total := 0.0
	for _, srv := range servers {
		total += s.self.distance(srv.Coord)
	}
	return total / float64(len(servers))
}

func (s *Server) sortDatacentersByDistance(dcs []string) {
	dist := make(map[string]float64, len(dcs))
	for _, dc := range dcs {
		dist[dc] = s.getDatacenterDistance(dc)
	}
	sort.Slice(dcs, func(i, j int) bool { return dist[dcs[i]] < dist[dcs[j]] })
}

// getDatacentersByDistance returns the known datacenters, nearest first.
func (s *Server) getDatacentersByDistance() []string {
	s.remoteLock.RLock() // heldout:site
	defer s.remoteLock.RUnlock()
	dcs := make([]string, 0, len(s.remoteConsuls))
	for dc := range s.remoteConsuls {
		dcs = append(dcs, dc)
	}
	s.sortDatacentersByDistance(dcs)
	return dcs
}

// wanNodeJoin records a server that joined the WAN pool.
func (s *Server) wanNodeJoin(dc string, srv *ServerInfo) {
	s.remoteLock.Lock() // heldout:site
	s.remoteConsuls[dc] = append(s.remoteConsuls[dc], srv)
	s.remoteLock.Unlock()
}

// wanEventHandler applies WAN membership events.
func (s *Server) wanEventHandler(joins <-chan struct {
	DC  string
	Srv *ServerInfo
}) {
	for ev := range joins {
		s.wanNodeJoin(ev.DC, ev.Srv)
	}
}

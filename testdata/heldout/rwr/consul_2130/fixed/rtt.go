// Package fixed is the fixed version of rwr/consul_2130: the helper at the
// end of the call chain no longer takes the read lock its caller holds.
package fixed

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

// getNodesForDatacenter returns the servers of dc. The caller must hold
// remoteLock.
func (s *Server) getNodesForDatacenter(dc string) []*ServerInfo {
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
	s.remoteLock.RLock()
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
	s.remoteLock.Lock()
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

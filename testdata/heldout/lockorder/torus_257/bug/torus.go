// Package bug is a held-out kernel (issue 14): torus's distributor client
// keeps open connections to peers behind distClient.mut. getConn holds
// that mutex (deferred Unlock) while it asks the server for the peer map,
// and GetPeerMap takes the server's mutex. The server's heartbeat, which
// refreshes the peer map under the server's mutex, calls the timeout
// callbacks registered on it for peers that stopped answering, and the
// distributor client registered onPeerTimeout, which takes distClient.mut
// to drop the peer's connection. With a rebalance tick in getConn and a
// heartbeat timing a peer out, each goroutine holds the lock the other
// wants: torusd and torusblk stop.
//
// Upstream: coreos/torus#257 ("distclient: fix deadlock between server and distclient", fixes coreos/torus#238)
// Round: 16
//
// Bug: distClient (openConns, mut, getConn, onPeerTimeout, resetConn,
// Check) follows distributor/client.go before the PR; the stack
// shows the rebalancer in Server.GetPeerMap from getConn with the client
// locked. The server side (the peer map under one mutex, UpdatePeerMap
// calling the timeout callbacks while it holds it, the heartbeat loop) is
// our reduction of what held the server's lock; RPC connections are a
// small interface and the rebalancer a single Check.
//
// Fix: getConn holds distClient.mut only around the map lookups and
// insert, not across Server.GetPeerMap, UpdatePeerMap or the dial.
package bug

import (
	"context"
	"errors"
	"sync"
	"time"
)

// PeerInfo is what the cluster knows about one peer.
type PeerInfo struct {
	UUID     string
	Address  string
	TimedOut bool
	LastSeen time.Time
}

// RPC is an open connection to a peer.
type RPC interface {
	RebalanceCheck(ctx context.Context, blocks []uint64) ([]bool, error)
	Close() error
}

// Server is one torus node.
type Server struct {
	infoMut          sync.Mutex
	peersMap         map[string]*PeerInfo
	timeoutCallbacks []func(uuid string)
	dial             func(addr string) (RPC, error)
}

// AddTimeoutCallback registers f to be told when a peer times out.
func (s *Server) AddTimeoutCallback(f func(uuid string)) {
	s.infoMut.Lock()
	defer s.infoMut.Unlock()
	s.timeoutCallbacks = append(s.timeoutCallbacks, f)
}

// GetPeerMap returns the current peer map.
func (s *Server) GetPeerMap() map[string]*PeerInfo {
	s.infoMut.Lock() // heldout:site
	defer s.infoMut.Unlock()
	out := make(map[string]*PeerInfo, len(s.peersMap))
	for k, v := range s.peersMap {
		out[k] = v
	}
	return out
}

// UpdatePeerMap marks peers not seen for a while as timed out, telling the
// registered callbacks, and returns the map.
func (s *Server) UpdatePeerMap() map[string]*PeerInfo {
	s.infoMut.Lock()
	defer s.infoMut.Unlock()
	for uuid, p := range s.peersMap {
		if !p.TimedOut && time.Since(p.LastSeen) > time.Second {
			p.TimedOut = true
			for _, cb := range s.timeoutCallbacks {
				cb(uuid) // heldout:site
			}
		}
	}
	out := make(map[string]*PeerInfo, len(s.peersMap))
	for k, v := range s.peersMap {
		out[k] = v
	}
	return out
}

// heartbeat refreshes the peer map until ctx is done.
func (s *Server) heartbeat(ctx context.Context) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.UpdatePeerMap()
		}
	}
}

type distClient struct {
	srv       *Server
	openConns map[string]RPC
	mut       sync.Mutex
}

func newDistClient(srv *Server) *distClient {
	client := &distClient{srv: srv, openConns: make(map[string]RPC)}
	srv.AddTimeoutCallback(client.onPeerTimeout)
	return client
}

func (d *distClient) onPeerTimeout(uuid string) {
	d.mut.Lock() // heldout:site
	defer d.mut.Unlock()
	conn, ok := d.openConns[uuid]
	if !ok {
		return
	}
	_ = conn.Close()
	delete(d.openConns, uuid)
}

func (d *distClient) getConn(uuid string) RPC {
	d.mut.Lock()
	defer d.mut.Unlock()
	if conn, ok := d.openConns[uuid]; ok {
		return conn
	}
	pm := d.srv.GetPeerMap() // heldout:site
	pi := pm[uuid]
	if pi == nil {
		pm = d.srv.UpdatePeerMap()
		if pi = pm[uuid]; pi == nil {
			return nil
		}
	}
	if pi.TimedOut {
		return nil
	}
	conn, err := d.srv.dial(pi.Address)
	if err != nil {
		return nil
	}
	d.openConns[uuid] = conn
	return conn
}

func (d *distClient) resetConn(uuid string) {
	d.mut.Lock()
	defer d.mut.Unlock()
	conn, ok := d.openConns[uuid]
	if !ok {
		return
	}
	delete(d.openConns, uuid)
	_ = conn.Close()
}

// Check asks a peer which of blocks it holds.
func (d *distClient) Check(ctx context.Context, uuid string, blocks []uint64) ([]bool, error) {
	conn := d.getConn(uuid)
	if conn == nil {
		return nil, errors.New("no peer")
	}
	resp, err := conn.RebalanceCheck(ctx, blocks)
	if err != nil {
		d.resetConn(uuid)
		return nil, err
	}
	return resp, nil
}

type nopRPC struct{}

func (nopRPC) RebalanceCheck(ctx context.Context, blocks []uint64) ([]bool, error) {
	return make([]bool, len(blocks)), nil
}

func (nopRPC) Close() error { return nil }

// Rebalance runs the heartbeat while the rebalancer checks blocks on a
// peer that is about to time out.
func Rebalance(ctx context.Context) ([]bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &Server{
		peersMap: map[string]*PeerInfo{
			"b": {UUID: "b", Address: "10.0.0.2:40000", LastSeen: time.Now()},
		},
		dial: func(string) (RPC, error) { return nopRPC{}, nil },
	}
	client := newDistClient(srv)
	go srv.heartbeat(ctx)
	var resp []bool
	var err error
	for i := 0; i < 100; i++ {
		resp, err = client.Check(ctx, "b", []uint64{1, 2})
		time.Sleep(20 * time.Millisecond)
	}
	return resp, err
}

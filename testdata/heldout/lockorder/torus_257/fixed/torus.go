// Package fixed is the fixed version of lockorder/torus_257: getConn holds
// distClient.mut only around its map lookup and insert, never while it asks
// the server for the peer map, so the client's lock is never taken before
// the server's.
package fixed

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
	s.infoMut.Lock()
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
				cb(uuid)
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
	d.mut.Lock()
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
	if conn, ok := d.openConns[uuid]; ok {
		d.mut.Unlock()
		return conn
	}
	d.mut.Unlock()
	pm := d.srv.GetPeerMap()
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
	d.mut.Lock()
	defer d.mut.Unlock()
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

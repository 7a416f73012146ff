// Package fixed is the fixed version of mixed/golibp2p_2373: the swarm
// emits the connectedness event after releasing its conns lock.
//
// Upstream: libp2p/go-libp2p#2373 ("fix: in the swarm move Connectedness emit after releasing conns")
// Round: 19
package fixed

import (
	"errors"
	"sync"
)

// ErrSwarmClosed is returned by addConn on a closed swarm.
var ErrSwarmClosed = errors.New("swarm closed")

// PeerID names a remote peer.
type PeerID string

// Connectedness says whether we are connected to a peer.
type Connectedness int

const (
	NotConnected Connectedness = iota
	Connected
)

// EvtPeerConnectednessChanged is emitted when a peer's connectedness
// changes.
type EvtPeerConnectednessChanged struct {
	Peer          PeerID
	Connectedness Connectedness
}

// EvtPeerIdentificationCompleted is emitted when identify finished.
type EvtPeerIdentificationCompleted struct {
	Peer PeerID
}

// Bus delivers events to subscribers, each through a bounded channel.
type Bus struct {
	mu   sync.Mutex
	subs []chan any
}

// Subscribe returns a channel receiving every emitted event.
func (b *Bus) Subscribe(size int) <-chan any {
	ch := make(chan any, size)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	b.mu.Unlock()
	return ch
}

// Emit delivers evt to every subscriber, waiting for room in each queue.
func (b *Bus) Emit(evt any) {
	b.mu.Lock()
	subs := append([]chan any(nil), b.subs...)
	b.mu.Unlock()
	for _, ch := range subs {
		ch <- evt
	}
}

// Conn is one connection to a peer.
type Conn struct {
	swarm  *Swarm
	remote PeerID
}

// RemotePeer returns the peer at the other end.
func (c *Conn) RemotePeer() PeerID { return c.remote }

// Swarm holds the open connections of a host.
type Swarm struct {
	emitter *Bus

	conns struct {
		sync.RWMutex
		m map[PeerID][]*Conn
	}
}

// NewSwarm returns a swarm emitting on bus.
func NewSwarm(bus *Bus) *Swarm {
	s := &Swarm{emitter: bus}
	s.conns.m = make(map[PeerID][]*Conn)
	return s
}

// addConn registers a new connection to p.
func (s *Swarm) addConn(p PeerID) (*Conn, error) {
	c := &Conn{swarm: s, remote: p}

	s.conns.Lock()
	if s.conns.m == nil {
		s.conns.Unlock()
		return nil, ErrSwarmClosed
	}

	isFirstConnection := len(s.conns.m[p]) == 0
	s.conns.m[p] = append(s.conns.m[p], c)
	s.conns.Unlock()

	// Emit after releasing the lock: a subscriber may need it to drain
	// its queue.
	if isFirstConnection {
		s.emitter.Emit(EvtPeerConnectednessChanged{
			Peer:          p,
			Connectedness: Connected,
		})
	}
	return c, nil
}

// ConnsToPeer returns the connections to p.
func (s *Swarm) ConnsToPeer(p PeerID) []*Conn {
	s.conns.RLock()
	defer s.conns.RUnlock()
	return append([]*Conn(nil), s.conns.m[p]...)
}

// Close drops every connection.
func (s *Swarm) Close() {
	s.conns.Lock()
	s.conns.m = nil
	s.conns.Unlock()
}

// subscriber is the DHT's event consumer.
type subscriber struct {
	swarm *Swarm
	evts  <-chan any
	peers map[PeerID]int
}

func newSubscriber(s *Swarm, bus *Bus) *subscriber {
	sub := &subscriber{
		swarm: s,
		evts:  bus.Subscribe(16),
		peers: map[PeerID]int{},
	}
	go sub.loop()
	return sub
}

func (sub *subscriber) loop() {
	for e := range sub.evts {
		switch evt := e.(type) {
		case EvtPeerIdentificationCompleted:
			sub.peers[evt.Peer] = len(sub.swarm.ConnsToPeer(evt.Peer))
		case EvtPeerConnectednessChanged:
			if evt.Connectedness == NotConnected {
				delete(sub.peers, evt.Peer)
			}
		}
	}
}

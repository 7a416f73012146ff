// Package bug is a held-out kernel (issue 14): a p2p protocol peer that
// takes a per-peer accounting lock around each send and around each
// received message's handler; the retrieval protocol's handler answers
// a request by sending to the same peer, and Send waits for the lock the
// handler's own goroutine holds.
//
// Upstream: ethersphere/swarm#2112 ("p2p/protocols: remove peer accounting lock")
// Round: 7
//
// Bug: issue #2110: accounting was split into Validate (compute the cost
// and check it is allowed) and Apply (change the balance after the send
// or the handling succeeded), and "a peer lock was introduced to prevent
// another request from interfering with accounting between those two
// calls... The same lock is acquired when receiving a message and when
// sending one. When retrieval sends a message during its message
// handler, this causes a deadlock." Here handleMsg locks the peer's
// lock, validates, calls the handler and applies; Send locks it,
// validates, writes and applies; retrieval's handler for a retrieve
// request calls p.Send with the chunk delivery. The field name and the
// reduced message types are ours.
//
// Fix: the lock is removed; the balances are already protected by the
// accounting hook's own locks.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Direction says whether a message is sent or received.
type Direction int

// The directions.
const (
	Sender Direction = iota
	Receiver
)

// Balance is the accounting hook (SWAP).
type Balance interface {
	Validate(p *Peer, size uint32, msg interface{}, d Direction) (int64, error)
	Apply(p *Peer, cost int64, size uint32) error
}

// Spec describes a protocol.
type Spec struct {
	Name string
	Hook Balance
}

// MsgReadWriter is the peer's connection.
type MsgReadWriter interface {
	WriteMsg(msg interface{}) error
	ReadMsg() (interface{}, error)
}

// Peer is a protocol peer.
type Peer struct {
	spec *Spec
	rw   MsgReadWriter
	lock sync.Mutex
}

// NewPeer wraps a connection.
func NewPeer(rw MsgReadWriter, spec *Spec) *Peer {
	return &Peer{spec: spec, rw: rw}
}

func msgSize(msg interface{}) uint32 {
	if b, ok := msg.([]byte); ok {
		return uint32(len(b))
	}
	return 64
}

// Send sends msg, doing the accounting if a hook is set.
func (p *Peer) Send(ctx context.Context, msg interface{}) error {
	size := msgSize(msg)
	if p.spec.Hook != nil {
		p.lock.Lock() // heldout:site
		defer p.lock.Unlock()
		cost, err := p.spec.Hook.Validate(p, size, msg, Sender)
		if err != nil {
			return err
		}
		if err := p.rw.WriteMsg(msg); err != nil {
			return err
		}
		return p.spec.Hook.Apply(p, cost, size)
	}
	return p.rw.WriteMsg(msg)
}

// handleMsg handles a received message, doing the accounting if a hook
// is set.
func (p *Peer) handleMsg(ctx context.Context, msg interface{}, handle func(ctx context.Context, msg interface{}) error) error {
	size := msgSize(msg)
	if p.spec.Hook != nil {
		p.lock.Lock()
		defer p.lock.Unlock()
		cost, err := p.spec.Hook.Validate(p, size, msg, Receiver)
		if err != nil {
			return err
		}
		if err := handle(ctx, msg); err != nil { // heldout:site
			return err
		}
		return p.spec.Hook.Apply(p, cost, size)
	}
	return handle(ctx, msg)
}

// Run handles the peer's messages until the connection fails.
func (p *Peer) Run(ctx context.Context, handle func(ctx context.Context, msg interface{}) error) error {
	for {
		msg, err := p.rw.ReadMsg()
		if err != nil {
			return err
		}
		if err := p.handleMsg(ctx, msg, handle); err != nil {
			return err
		}
	}
}

// RetrieveRequest asks a peer for a chunk.
type RetrieveRequest struct {
	Addr [32]byte
}

// ChunkDelivery answers a RetrieveRequest.
type ChunkDelivery struct {
	Addr  [32]byte
	SData []byte
}

// Retrieval serves chunks to peers.
type Retrieval struct {
	spec  *Spec
	store func(addr [32]byte) ([]byte, error)
}

// run is the retrieval protocol's per-peer loop.
func (r *Retrieval) run(ctx context.Context, rw MsgReadWriter) error {
	p := NewPeer(rw, r.spec)
	return p.Run(ctx, func(ctx context.Context, msg interface{}) error {
		return r.handleMsg(ctx, p, msg)
	})
}

func (r *Retrieval) handleMsg(ctx context.Context, p *Peer, msg interface{}) error {
	switch m := msg.(type) {
	case *RetrieveRequest:
		data, err := r.store(m.Addr)
		if err != nil {
			return nil
		}
		return p.Send(ctx, &ChunkDelivery{Addr: m.Addr, SData: data}) // heldout:site
	case *ChunkDelivery:
		return nil
	}
	return errors.New("unknown message")
}

// Package fixed is the fixed version of doublelock/swarm_2112: the peer
// accounting lock is gone.
package fixed

import (
	"context"
	"errors"
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
		cost, err := p.spec.Hook.Validate(p, size, msg, Receiver)
		if err != nil {
			return err
		}
		if err := handle(ctx, msg); err != nil {
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
		return p.Send(ctx, &ChunkDelivery{Addr: m.Addr, SData: data})
	case *ChunkDelivery:
		return nil
	}
	return errors.New("unknown message")
}

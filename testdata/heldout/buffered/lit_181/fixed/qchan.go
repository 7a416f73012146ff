// Package fixed is the fixed version of buffered/lit_181: the token is put
// once, under the channel's mutex.
package fixed

import "sync"

// Qchan is a payment channel.
type Qchan struct {
	ChanMtx     sync.Mutex
	ClearToSend chan bool
	Idx         uint32
	Delta       int64
	Collision   int64
}

// LitNode holds the open channels.
type LitNode struct {
	RemoteMtx sync.Mutex
	chans     map[uint32]*Qchan
}

func (nd *LitNode) loadQchan(idx uint32) *Qchan {
	return &Qchan{Idx: idx, ClearToSend: make(chan bool, 1)}
}

// RestoreQchan reloads a channel, recovering an interrupted update.
func (nd *LitNode) RestoreQchan(idx uint32, interrupted bool) *Qchan {
	q := nd.loadQchan(idx)
	q.ChanMtx.Lock()
	defer q.ChanMtx.Unlock()
	if interrupted {
		q.Delta = 0
		q.Collision = 0
	}
	q.ClearToSend <- true
	nd.RemoteMtx.Lock()
	nd.chans[idx] = q
	nd.RemoteMtx.Unlock()
	return q
}

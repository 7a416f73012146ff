// Package bug is a held-out kernel (issue 14): two pushes into a channel of
// capacity one with nothing taking the first in between.
//
// Upstream: mit-dci/lit#181 ("Fix one observed and one potential deadlock")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: ClearToSend is a one-slot token: whoever may send a channel update
// takes it and puts it back. Restoring a channel after an interruption
// puts the token when the channel is loaded and puts it again when the
// interrupted update is recovered; the second push finds the slot full and
// blocks forever, with the channel's mutex held.
//
// Fix: the recovery path does not push a second token (the token is put
// once, with ChanMtx held).
package bug

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
	q := &Qchan{Idx: idx, ClearToSend: make(chan bool, 1)}
	q.ClearToSend <- true
	return q
}

// RestoreQchan reloads a channel, recovering an interrupted update.
func (nd *LitNode) RestoreQchan(idx uint32, interrupted bool) *Qchan {
	q := nd.loadQchan(idx)
	q.ChanMtx.Lock()
	defer q.ChanMtx.Unlock()
	if interrupted {
		q.Delta = 0
		q.Collision = 0
		q.ClearToSend <- true // heldout:site
	}
	nd.RemoteMtx.Lock()
	nd.chans[idx] = q
	nd.RemoteMtx.Unlock()
	return q
}

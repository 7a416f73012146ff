// Package bug is a held-out kernel (issue 14): an ICE candidate callback
// that counts a candidate in a WaitGroup, then may return through a select
// on the exchange context before the goroutine that calls Done is
// started, so the end-of-candidates call waits on the group for ever.
//
// Upstream: viamrobotics/goutils#178 ("[RSDK-3286] Fix go routine leak in wrtc ice candidate function")
// Round: 15
//
// Bug: the dialer's OnICECandidate callback does candidates.Add(1) for
// every non-nil candidate, waits in a select for the remote description
// or for exchangeCtx to end, and only then starts a goroutine whose
// deferred Done balances the Add. The last call (a nil candidate) waits on
// the group before sending "done". When both select cases are ready, one
// call can take exchangeCtx.Done() and return without Done while the nil
// call takes remoteDescSet and waits for ever; the PR says the leak "could
// have happened ... by this function returning via the select because of
// a race with other instances of itself" and that "deferring in a later
// anonymous function feels odd". The peer connection and signaling
// client are our reduction.
//
// Fix: Done is deferred right after Add, in the callback itself, so every
// path out of the callback balances it (the reviewer: "A matching add to a
// wait group should have a corresponding defer done as close as possible";
// the group was renamed pendingCandidates). That the candidate is then
// sent from the callback rather than a further goroutine is our reading.
package bug

import (
	"context"
	"sync"
)

// ICECandidate is a local candidate; nil means gathering is complete.
type ICECandidate struct {
	Candidate string
}

// PeerConnection is the WebRTC peer connection.
type PeerConnection interface {
	OnICECandidate(f func(c *ICECandidate))
}

// SignalingClient sends candidates to the answerer.
type SignalingClient interface {
	SendCandidate(ctx context.Context, uuid string, c *ICECandidate) error
	SendDone(ctx context.Context, uuid string) error
}

type dialer struct {
	peerConn PeerConnection
	signal   SignalingClient
	uuid     string
}

func (d *dialer) exchangeCandidates(exchangeCtx context.Context, remoteDescSet <-chan struct{}, errCh chan<- error) {
	var candidates sync.WaitGroup
	d.peerConn.OnICECandidate(func(i *ICECandidate) {
		if exchangeCtx.Err() != nil {
			return
		}
		if i != nil {
			candidates.Add(1)
		}
		select {
		case <-remoteDescSet:
		case <-exchangeCtx.Done():
			return // heldout:site
		}
		if i == nil {
			candidates.Wait() // heldout:site
			if err := d.signal.SendDone(exchangeCtx, d.uuid); err != nil {
				sendErr(errCh, err)
			}
			return
		}
		go func() {
			defer candidates.Done()
			if err := d.signal.SendCandidate(exchangeCtx, d.uuid, i); err != nil {
				sendErr(errCh, err)
			}
		}()
	})
}

func sendErr(errCh chan<- error, err error) {
	select {
	case errCh <- err:
	default:
	}
}

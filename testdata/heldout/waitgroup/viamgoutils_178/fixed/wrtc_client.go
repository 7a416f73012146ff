// Package fixed is the fixed version of waitgroup/viamgoutils_178: the
// callback defers Done right after Add, so no path out of it leaves the
// group counted.
package fixed

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
	var pendingCandidates sync.WaitGroup
	d.peerConn.OnICECandidate(func(i *ICECandidate) {
		if exchangeCtx.Err() != nil {
			return
		}
		if i != nil {
			pendingCandidates.Add(1)
			defer pendingCandidates.Done()
		}
		select {
		case <-remoteDescSet:
		case <-exchangeCtx.Done():
			return
		}
		if i == nil {
			pendingCandidates.Wait()
			if err := d.signal.SendDone(exchangeCtx, d.uuid); err != nil {
				sendErr(errCh, err)
			}
			return
		}
		if err := d.signal.SendCandidate(exchangeCtx, d.uuid, i); err != nil {
			sendErr(errCh, err)
		}
	})
}

func sendErr(errCh chan<- error, err error) {
	select {
	case errCh <- err:
	default:
	}
}

// Package bug is a held-out kernel (issue 14): lnd's wallet, whose
// PsbtFundingVerify holds the funding-intent lock while it takes the
// reservation (limbo) lock, while the wallet's request handler, cancelling
// a reservation, holds the limbo lock while it takes the intent lock. The
// RPC goroutine and the request handler wait on each other for ever, and
// every later reservation request waits behind the handler.
//
// Upstream: lightningnetwork/lnd#11008 ("lnwallet: fix limboMtx/intentMtx lock order inversion in PsbtFundingVerify")
// Round: 13
//
// Bug: PsbtFundingVerify (the PSBT funding RPC) takes l.intentMtx with a
// deferred unlock, verifies the PSBT against the registered intent and
// then takes l.limboMtx to find the pending reservation.
// handleFundingCancelRequest, which runs on the wallet's single
// requestHandler goroutine (a peer disconnecting cancels its
// reservations), takes l.limboMtx with a deferred unlock, releases the
// reservation's inputs and then takes l.intentMtx to cancel and forget the
// funding intent. Issue #11011 gives the goroutine dump from a wedged
// node: the RPC goroutine in limboMtx.Lock, the request handler in
// intentMtx.Lock, and the funding manager and reservation coordinator
// behind them. Intents, reservations and the message loop follow
// lnwallet/wallet.go, reduced.
//
// Fix: limboMtx is always taken before intentMtx; PsbtFundingVerify looks
// the reservation up (under limboMtx, released) before it takes intentMtx.
// The exact shape of the new PsbtFundingVerify is our reading of the PR's
// description.
package bug

import (
	"errors"
	"fmt"
	"sync"
)

// PendingChanID identifies a channel being negotiated.
type PendingChanID [32]byte

// Packet is a reduced PSBT.
type Packet struct {
	Inputs []string
}

// Intent is a funding intent registered for a pending channel.
type Intent interface {
	Cancel()
	LocalFundingAmt() int64
}

// PsbtIntent is an intent whose funding transaction comes from a PSBT.
type PsbtIntent struct {
	localAmt  int64
	verified  *Packet
	cancelled bool
}

// Cancel releases the intent's resources.
func (p *PsbtIntent) Cancel() { p.cancelled = true }

// LocalFundingAmt is the amount we fund.
func (p *PsbtIntent) LocalFundingAmt() int64 { return p.localAmt }

// Verify checks the packet against the intent.
func (p *PsbtIntent) Verify(packet *Packet) error {
	if len(packet.Inputs) == 0 {
		return errors.New("packet has no inputs")
	}
	p.verified = packet
	return nil
}

// ChannelReservation is a channel being funded.
type ChannelReservation struct {
	sync.RWMutex

	pendingChanID PendingChanID
	reservationID uint64
	public        bool
	inputs        []string
	wallet        *LightningWallet
}

// Cancel asks the wallet to cancel the reservation and waits for the
// answer.
func (r *ChannelReservation) Cancel() error {
	errChan := make(chan error, 1)
	select {
	case r.wallet.msgChan <- &fundingReserveCancelMsg{
		pendingFundingID: r.reservationID,
		err:              errChan,
	}:
	case <-r.wallet.quit:
		return errors.New("wallet shutting down")
	}
	select {
	case err := <-errChan:
		return err
	case <-r.wallet.quit:
		return errors.New("wallet shutting down")
	}
}

type fundingReserveCancelMsg struct {
	pendingFundingID uint64
	err              chan error
}

// LightningWallet is the reduced lnwallet.LightningWallet.
type LightningWallet struct {
	msgChan chan interface{}
	quit    chan struct{}
	wg      sync.WaitGroup

	limboMtx       sync.RWMutex
	fundingLimbo   map[uint64]*ChannelReservation
	reservationIDs map[PendingChanID]uint64

	intentMtx      sync.Mutex
	fundingIntents map[PendingChanID]Intent

	lockedOutPoints map[string]struct{}
}

// NewLightningWallet returns a started wallet.
func NewLightningWallet() *LightningWallet {
	l := &LightningWallet{
		msgChan:         make(chan interface{}),
		quit:            make(chan struct{}),
		fundingLimbo:    make(map[uint64]*ChannelReservation),
		reservationIDs:  make(map[PendingChanID]uint64),
		fundingIntents:  make(map[PendingChanID]Intent),
		lockedOutPoints: make(map[string]struct{}),
	}
	l.wg.Add(1)
	go l.requestHandler()
	return l
}

// Shutdown stops the request handler.
func (l *LightningWallet) Shutdown() {
	close(l.quit)
	l.wg.Wait()
}

// requestHandler is the only goroutine that runs reservation requests.
func (l *LightningWallet) requestHandler() {
	defer l.wg.Done()
	for {
		select {
		case m := <-l.msgChan:
			switch msg := m.(type) {
			case *fundingReserveCancelMsg:
				l.handleFundingCancelRequest(msg)
			}
		case <-l.quit:
			return
		}
	}
}

// RegisterFundingIntent records the intent for a pending channel.
func (l *LightningWallet) RegisterFundingIntent(id PendingChanID, intent Intent) error {
	l.intentMtx.Lock()
	defer l.intentMtx.Unlock()

	if _, ok := l.fundingIntents[id]; ok {
		return fmt.Errorf("pendingChanID(%x) already has intent registered", id[:4])
	}
	l.fundingIntents[id] = intent
	return nil
}

// addReservation puts a reservation in limbo (handleFundingReserveRequest,
// reduced).
func (l *LightningWallet) addReservation(r *ChannelReservation) {
	r.wallet = l
	l.limboMtx.Lock()
	l.fundingLimbo[r.reservationID] = r
	l.reservationIDs[r.pendingChanID] = r.reservationID
	for _, in := range r.inputs {
		l.lockedOutPoints[in] = struct{}{}
	}
	l.limboMtx.Unlock()
}

// PsbtFundingVerify verifies the PSBT of a pending channel against its
// registered intent.
func (l *LightningWallet) PsbtFundingVerify(pendingChanID PendingChanID, packet *Packet) error {
	l.intentMtx.Lock() // heldout:site
	defer l.intentMtx.Unlock()

	intent, ok := l.fundingIntents[pendingChanID]
	if !ok {
		return fmt.Errorf("no funding intent found for pendingChannelID(%x)", pendingChanID[:4])
	}
	psbtIntent, ok := intent.(*PsbtIntent)
	if !ok {
		return errors.New("incompatible funding intent")
	}
	if err := psbtIntent.Verify(packet); err != nil {
		return fmt.Errorf("error verifying PSBT: %v", err)
	}

	l.limboMtx.Lock() // heldout:site
	pid, ok := l.reservationIDs[pendingChanID]
	if !ok {
		l.limboMtx.Unlock()
		return fmt.Errorf("no channel reservation found for pendingChannelID(%x)", pendingChanID[:4])
	}
	pendingReservation, ok := l.fundingLimbo[pid]
	l.limboMtx.Unlock()
	if !ok {
		return fmt.Errorf("no channel reservation found for reservation ID %v", pid)
	}

	return l.enforceNewReservedValue(intent, pendingReservation)
}

func (l *LightningWallet) enforceNewReservedValue(intent Intent, r *ChannelReservation) error {
	if !r.public || intent.LocalFundingAmt() == 0 {
		return nil
	}
	if intent.LocalFundingAmt() < 0 {
		return errors.New("reserved value violated")
	}
	return nil
}

// handleFundingCancelRequest cancels a reservation, on the request handler.
func (l *LightningWallet) handleFundingCancelRequest(req *fundingReserveCancelMsg) {
	l.limboMtx.Lock() // heldout:site
	defer l.limboMtx.Unlock()

	pendingReservation, ok := l.fundingLimbo[req.pendingFundingID]
	if !ok {
		req.err <- errors.New("attempted to cancel non-existent funding state")
		return
	}

	pendingReservation.Lock()
	defer pendingReservation.Unlock()

	for _, in := range pendingReservation.inputs {
		delete(l.lockedOutPoints, in)
	}
	delete(l.fundingLimbo, req.pendingFundingID)

	pid := pendingReservation.pendingChanID
	delete(l.reservationIDs, pid)

	l.intentMtx.Lock() // heldout:site
	if intent, ok := l.fundingIntents[pid]; ok {
		intent.Cancel()
		delete(l.fundingIntents, pid)
	}
	l.intentMtx.Unlock()

	req.err <- nil
}

// verifyWhilePeerDisconnects is the user's PSBT verify RPC racing the peer
// disconnecting, which cancels the same reservation.
func verifyWhilePeerDisconnects() {
	l := NewLightningWallet()
	defer l.Shutdown()

	id := PendingChanID{1}
	l.RegisterFundingIntent(id, &PsbtIntent{localAmt: 100000})
	r := &ChannelReservation{pendingChanID: id, reservationID: 1, inputs: []string{"op:0"}}
	l.addReservation(r)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		l.PsbtFundingVerify(id, &Packet{Inputs: []string{"op:0"}})
	}()
	go func() {
		defer wg.Done()
		r.Cancel()
	}()
	wg.Wait()
}

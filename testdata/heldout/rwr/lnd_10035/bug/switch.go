// Package bug is a held-out kernel (issue 14): lnd's HTLC switch, whose
// getLocalLink keeps the index lock read-locked (deferred RUnlock) while it
// asks the outgoing link to check the HTLC; a link without the bandwidth
// builds its failure through the switch's failAliasUpdate callback, which
// read-locks the same index lock again. A link being added or removed in
// between queues a writer, and the second RLock waits behind it for ever.
//
// Upstream: lightningnetwork/lnd#10035 ("fix switch deadlock")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Switch.getLocalLink takes s.indexMtx.RLock, looks the outgoing link
// up and defers the RUnlock, then calls link.CheckHtlcTransit. When the
// link cannot carry the amount, canSendHtlc calls createFailureWithUpdate,
// which calls the FailAliasUpdate function of the link's configuration,
// the switch's failAliasUpdate, and that takes s.indexMtx.RLock. Issue
// #10008's goroutine dump shows the payment goroutine in that RLock and
// the peer's goroutine in AddLink's indexMtx.Lock (and the server mutex,
// most of the node, behind it): Go's RWMutex makes the nested read lock
// wait for the pending writer, which waits for the first read lock. Links,
// indexes and the alias maps follow htlcswitch, reduced.
//
// Fix: getLocalLink releases indexMtx once it has the link (on each early
// return, and before CheckHtlcTransit), so failAliasUpdate runs without it.
package bug

import (
	"errors"
	"sync"
)

// ShortChannelID is a channel's short ID (or an alias).
type ShortChannelID uint64

// ChannelID is a channel's full ID.
type ChannelID [32]byte

// ChannelUpdate is a reduced channel_update message.
type ChannelUpdate struct {
	ShortChannelID ShortChannelID
	FeeRate        uint32
}

// LinkError is an HTLC failure.
type LinkError struct {
	Update *ChannelUpdate
	Reason string
}

func (e *LinkError) Error() string { return e.Reason }

// UpdateAddHTLC is a reduced update_add_htlc.
type UpdateAddHTLC struct {
	PaymentHash [32]byte
	Amount      uint64
	Expiry      uint32
}

type htlcPacket struct {
	outgoingChanID ShortChannelID
	htlc           *UpdateAddHTLC
}

// ChannelLink is the part of a link the switch uses.
type ChannelLink interface {
	ChanID() ChannelID
	ShortChanID() ShortChannelID
	EligibleToForward() bool
	CheckHtlcTransit(payHash [32]byte, amt uint64, timeout, height uint32) *LinkError
}

// ChannelLinkConfig holds the callbacks a link gets from the switch.
type ChannelLinkConfig struct {
	FailAliasUpdate func(sid ShortChannelID, incoming bool) *ChannelUpdate
	FetchUpdate     func(sid ShortChannelID) (*ChannelUpdate, error)
}

type channelLink struct {
	cfg       ChannelLinkConfig
	chanID    ChannelID
	scid      ShortChannelID
	mu        sync.Mutex
	bandwidth uint64
}

func (l *channelLink) ChanID() ChannelID           { return l.chanID }
func (l *channelLink) ShortChanID() ShortChannelID { return l.scid }
func (l *channelLink) EligibleToForward() bool     { return true }

// CheckHtlcTransit checks that the link can carry the HTLC.
func (l *channelLink) CheckHtlcTransit(payHash [32]byte, amt uint64, timeout, height uint32) *LinkError {
	return l.canSendHtlc(payHash, amt, timeout, height)
}

func (l *channelLink) canSendHtlc(payHash [32]byte, amt uint64, timeout, height uint32) *LinkError {
	l.mu.Lock()
	bw := l.bandwidth
	l.mu.Unlock()
	if amt > bw {
		return l.createFailureWithUpdate(false, l.scid, "insufficient bandwidth")
	}
	return nil
}

// createFailureWithUpdate attaches the channel's latest update to a
// failure, asking the switch for the alias-aware one first.
func (l *channelLink) createFailureWithUpdate(incoming bool, outgoingScid ShortChannelID, reason string) *LinkError {
	update := l.cfg.FailAliasUpdate(outgoingScid, incoming)
	if update == nil {
		var err error
		update, err = l.cfg.FetchUpdate(outgoingScid)
		if err != nil {
			return &LinkError{Reason: reason}
		}
	}
	return &LinkError{Update: update, Reason: reason}
}

// Switch forwards HTLCs between links.
type Switch struct {
	indexMtx        sync.RWMutex
	linkIndex       map[ChannelID]ChannelLink
	forwardingIndex map[ShortChannelID]ChannelLink
	baseIndex       map[ShortChannelID]ShortChannelID
	aliasToReal     map[ShortChannelID]ShortChannelID

	isAlias     func(ShortChannelID) bool
	lastUpdates map[ShortChannelID]*ChannelUpdate
	updatesMu   sync.Mutex

	bestHeight uint32
}

// New returns an empty switch.
func New() *Switch {
	return &Switch{
		linkIndex:       make(map[ChannelID]ChannelLink),
		forwardingIndex: make(map[ShortChannelID]ChannelLink),
		baseIndex:       make(map[ShortChannelID]ShortChannelID),
		aliasToReal:     make(map[ShortChannelID]ShortChannelID),
		isAlias:         func(s ShortChannelID) bool { return s >= 1<<40 },
		lastUpdates:     make(map[ShortChannelID]*ChannelUpdate),
	}
}

func (s *Switch) fetchLastChannelUpdate(sid ShortChannelID) (*ChannelUpdate, error) {
	s.updatesMu.Lock()
	defer s.updatesMu.Unlock()
	u, ok := s.lastUpdates[sid]
	if !ok {
		return nil, errors.New("no update")
	}
	cp := *u
	return &cp, nil
}

// newLink builds a link wired to this switch's callbacks.
func (s *Switch) newLink(chanID ChannelID, scid ShortChannelID, bandwidth uint64) *channelLink {
	return &channelLink{
		cfg: ChannelLinkConfig{
			FailAliasUpdate: s.failAliasUpdate,
			FetchUpdate:     s.fetchLastChannelUpdate,
		},
		chanID:    chanID,
		scid:      scid,
		bandwidth: bandwidth,
	}
}

// AddLink registers a link (a peer coming online).
func (s *Switch) AddLink(link ChannelLink) {
	s.indexMtx.Lock() // heldout:site
	defer s.indexMtx.Unlock()

	s.linkIndex[link.ChanID()] = link
	s.forwardingIndex[link.ShortChanID()] = link
	s.baseIndex[link.ShortChanID()] = link.ShortChanID()
}

// RemoveLink unregisters a link.
func (s *Switch) RemoveLink(chanID ChannelID) {
	s.indexMtx.Lock()
	defer s.indexMtx.Unlock()

	link, ok := s.linkIndex[chanID]
	if !ok {
		return
	}
	delete(s.linkIndex, chanID)
	delete(s.forwardingIndex, link.ShortChanID())
	delete(s.baseIndex, link.ShortChanID())
}

// getLinkByShortID is called with indexMtx held.
func (s *Switch) getLinkByShortID(sid ShortChannelID) (ChannelLink, error) {
	link, ok := s.forwardingIndex[sid]
	if !ok {
		return nil, errors.New("link not found")
	}
	return link, nil
}

// getLocalLink finds the outgoing link for a payment we send.
func (s *Switch) getLocalLink(pkt *htlcPacket, htlc *UpdateAddHTLC) (ChannelLink, *LinkError) {
	s.indexMtx.RLock() // heldout:site
	link, err := s.getLinkByShortID(pkt.outgoingChanID)
	defer s.indexMtx.RUnlock()
	if err != nil {
		baseScid, ok := s.baseIndex[pkt.outgoingChanID]
		if !ok {
			return nil, &LinkError{Reason: "unknown next peer"}
		}
		link, err = s.getLinkByShortID(baseScid)
		if err != nil {
			return nil, &LinkError{Reason: "unknown next peer"}
		}
	}

	if !link.EligibleToForward() {
		return nil, &LinkError{Reason: "link not eligible"}
	}

	htlcErr := link.CheckHtlcTransit( // heldout:site
		htlc.PaymentHash, htlc.Amount, htlc.Expiry, s.bestHeight,
	)
	if htlcErr != nil {
		return nil, htlcErr
	}
	return link, nil
}

// failAliasUpdate returns the channel update for a failed HTLC on an
// alias channel, or nil for a channel without aliases.
func (s *Switch) failAliasUpdate(scid ShortChannelID, incoming bool) *ChannelUpdate {
	s.indexMtx.RLock() // heldout:site

	if s.isAlias(scid) {
		realScid, ok := s.aliasToReal[scid]
		if !ok {
			baseScid, ok := s.baseIndex[scid]
			s.indexMtx.RUnlock()
			if !ok {
				return nil
			}
			update, err := s.fetchLastChannelUpdate(baseScid)
			if err != nil {
				return nil
			}
			update.ShortChannelID = scid
			return update
		}
		s.indexMtx.RUnlock()
		update, err := s.fetchLastChannelUpdate(realScid)
		if err != nil {
			return nil
		}
		return update
	}

	s.indexMtx.RUnlock()
	return nil
}

// SendHTLC hands a locally initiated HTLC to its outgoing link.
func (s *Switch) SendHTLC(firstHop ShortChannelID, htlc *UpdateAddHTLC) error {
	pkt := &htlcPacket{outgoingChanID: firstHop, htlc: htlc}
	if _, linkErr := s.getLocalLink(pkt, htlc); linkErr != nil {
		return linkErr
	}
	return nil
}

// payWhilePeerReconnects is a payment too large for its first hop sent
// while another peer's link comes online.
func payWhilePeerReconnects() {
	s := New()
	s.AddLink(s.newLink(ChannelID{1}, 100, 1000))

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.SendHTLC(100, &UpdateAddHTLC{Amount: 5000, Expiry: 144})
	}()
	go func() {
		defer wg.Done()
		s.AddLink(s.newLink(ChannelID{2}, 200, 1000))
	}()
	wg.Wait()
}

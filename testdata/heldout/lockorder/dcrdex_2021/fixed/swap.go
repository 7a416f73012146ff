// Package fixed is a held-out kernel (issue 14): the DEX server's Swapper,
// where processBlock takes the match map's lock (matchMtx) and then each
// matchTracker's mtx, while processAck, handling the maker's ack of the
// taker's redemption, holds the matchTracker's mtx and then takes
// matchMtx to delete the completed match. A block arriving while that ack
// is handled leaves each goroutine holding the lock the other wants.
//
// Upstream: decred/dcrdex#2021 ("server/swap: avoid deadlock with maker redeem ack")
// Round: 14
//
// Bug: the PR: "When deleting a match after receiving the maker's redeem
// ack (of the taker's redeem), do not violate established lock ordering
// of Swapper.matchMtx and matchTracker.mtx", found by a CI deadlock. The
// Swapper, matchTracker, messageAcker, processAck (locking acker.match.mtx
// with a deferred unlock) and processBlock (matchMtx, then match.mtx per
// match) follow server/swap/swap.go; the signature check, storage and
// asset backends are our reduction, and where processAck deletes the
// match is our reading of the PR's description.
//
// Fix: processAck decides and deletes the completed match under matchMtx
// before it locks the matchTracker.
package fixed

import (
	"errors"
	"sync"
)

// MatchID identifies a match.
type MatchID [4]byte

// MatchStatus is the step a match's settlement has reached.
type MatchStatus int

// Match settlement steps.
const (
	NewlyMatched MatchStatus = iota
	MakerSwapCast
	TakerSwapCast
	MakerRedeemed
	MatchComplete
)

// matchTracker is a match being settled, with its own lock.
type matchTracker struct {
	mtx    sync.RWMutex
	ID     MatchID
	Status MatchStatus
	Sigs   struct{ MakerRedeem, TakerRedeem []byte }
	confs  int
}

// messageAcker is what processAck needs of the request being acked.
type messageAcker struct {
	user    string
	match   *matchTracker
	isMaker bool
	isAudit bool
}

// Acknowledgement is a user's signed ack of a request.
type Acknowledgement struct {
	MatchID MatchID
	Sig     []byte
}

// Storage records signatures.
type Storage interface {
	SaveRedeemAckSigA(mid MatchID, sig []byte) error
}

// Swapper settles the matches of the DEX's markets.
type Swapper struct {
	storage  Storage
	matchMtx sync.RWMutex
	matches  map[MatchID]*matchTracker
}

// NewSwapper returns a Swapper tracking matches.
func NewSwapper(storage Storage, matches ...*matchTracker) *Swapper {
	s := &Swapper{storage: storage, matches: make(map[MatchID]*matchTracker)}
	for _, m := range matches {
		s.matches[m.ID] = m
	}
	return s
}

// deleteMatch forgets a match. The caller holds matchMtx.
func (s *Swapper) deleteMatch(match *matchTracker) {
	delete(s.matches, match.ID)
}

var errBadSig = errors.New("bad signature")

// processAck records a user's ack of an audit or redemption request.
func (s *Swapper) processAck(ack *Acknowledgement, acker *messageAcker) error {
	if len(ack.Sig) == 0 {
		return errBadSig
	}

	// Deal with the match map before locking the matchTracker, keeping
	// the order matchMtx, then matchTracker.mtx.
	if !acker.isAudit && acker.isMaker {
		s.matchMtx.Lock()
		acker.match.mtx.RLock()
		complete := acker.match.Status == MatchComplete
		acker.match.mtx.RUnlock()
		if complete {
			s.deleteMatch(acker.match)
		}
		s.matchMtx.Unlock()
	}

	acker.match.mtx.Lock()
	defer acker.match.mtx.Unlock()

	if acker.isAudit {
		return nil
	}
	if acker.isMaker {
		acker.match.Sigs.MakerRedeem = ack.Sig
		return s.storage.SaveRedeemAckSigA(acker.match.ID, ack.Sig)
	}
	acker.match.Sigs.TakerRedeem = ack.Sig
	return nil
}

// processBlock counts a new block's confirmations for every match.
func (s *Swapper) processBlock() {
	s.matchMtx.Lock()
	defer s.matchMtx.Unlock()
	for _, match := range s.matches {
		// Lock the matchTracker so the following checks and updates are
		// atomic with respect to Status.
		match.mtx.Lock()
		if match.Status != MatchComplete {
			match.confs++
		}
		match.mtx.Unlock()
	}
}

type memStorage struct{ mu sync.Mutex }

func (m *memStorage) SaveRedeemAckSigA(MatchID, []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return nil
}

// Settle handles the maker's redeem ack while a block comes in.
func Settle() {
	match := &matchTracker{ID: MatchID{1}, Status: MatchComplete}
	s := NewSwapper(&memStorage{}, match)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = s.processAck(&Acknowledgement{MatchID: match.ID, Sig: []byte{1}}, &messageAcker{user: "maker", match: match, isMaker: true})
	}()
	go func() {
		defer wg.Done()
		s.processBlock()
	}()
	wg.Wait()
}

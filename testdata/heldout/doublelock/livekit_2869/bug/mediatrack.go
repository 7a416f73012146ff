// Package bug is a held-out kernel (issue 14): an SFU media track whose
// SetupReceiver holds the track's lock while it upgrades a placeholder
// receiver; the upgrade adds the waiting down tracks to the real receiver,
// whose first-down-track callback starts a goroutine with the track's ID,
// and the ID is read (under the same lock) before the goroutine starts.
//
// Upstream: livekit/livekit#2869 ("Prevent deadlock when adding down track.")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: MediaTrackReceiver.SetupReceiver takes t.lock for writing and, when
// the track had a DummyReceiver standing in for the not yet published
// receiver, calls DummyReceiver.Upgrade, which hands the down tracks that
// subscribers added meanwhile to the real WebRTCReceiver. AddDownTrack
// fires onDownTrackEverAdded for the first one, which is
// MediaTrack.handleReceiverEverAddDowntrack: it runs
// `go t.params.OnTrackEverSubscribed(t.ID())`, and the arguments of a go
// statement are evaluated by the caller, so t.ID() read-locks t.lock on the
// goroutine that holds it for writing.
//
// Fix: the callback's goroutine calls t.ID() itself (go func() { ...
// t.ID() ... }()). The PR also stopped DummyReceiver from calling
// AddDownTrack under its own lock; that part is left out of both versions.
package bug

import (
	"sync"
	"sync/atomic"
)

// TrackID identifies a track.
type TrackID string

// DownTrack sends a track to one subscriber.
type DownTrack struct {
	SubscriberID string
}

// TrackReceiver is the receiving side of a published track.
type TrackReceiver interface {
	AddDownTrack(dt *DownTrack) error
}

// WebRTCReceiver receives a published track from the publisher.
type WebRTCReceiver struct {
	mu                   sync.Mutex
	downTracks           []*DownTrack
	downTrackEverAdded   atomic.Bool
	onDownTrackEverAdded func()
}

// OnDownTrackEverAdded sets the callback for the first down track.
func (w *WebRTCReceiver) OnDownTrackEverAdded(f func()) { w.onDownTrackEverAdded = f }

// AddDownTrack adds a subscriber's down track.
func (w *WebRTCReceiver) AddDownTrack(dt *DownTrack) error {
	w.mu.Lock()
	w.downTracks = append(w.downTracks, dt)
	w.mu.Unlock()

	if !w.downTrackEverAdded.Swap(true) && w.onDownTrackEverAdded != nil {
		w.onDownTrackEverAdded()
	}
	return nil
}

// DummyReceiver stands in for a receiver until the publisher's track
// arrives, keeping the down tracks added meanwhile.
type DummyReceiver struct {
	mu         sync.Mutex
	receiver   TrackReceiver
	downTracks []*DownTrack
}

// AddDownTrack keeps dt until the upgrade, or forwards it after.
func (d *DummyReceiver) AddDownTrack(dt *DownTrack) error {
	d.mu.Lock()
	r := d.receiver
	if r == nil {
		d.downTracks = append(d.downTracks, dt)
	}
	d.mu.Unlock()
	if r != nil {
		return r.AddDownTrack(dt)
	}
	return nil
}

// Upgrade switches to the real receiver and hands it the waiting down
// tracks.
func (d *DummyReceiver) Upgrade(r TrackReceiver) {
	d.mu.Lock()
	d.receiver = r
	pending := d.downTracks
	d.downTracks = nil
	d.mu.Unlock()

	for _, dt := range pending {
		_ = r.AddDownTrack(dt)
	}
}

// MediaTrackReceiver holds a track's receivers.
type MediaTrackReceiver struct {
	lock     sync.RWMutex
	trackID  TrackID
	receiver TrackReceiver
}

// ID returns the track's ID.
func (t *MediaTrackReceiver) ID() TrackID {
	t.lock.RLock() // heldout:site
	defer t.lock.RUnlock()
	return t.trackID
}

// SetupReceiver installs the publisher's receiver, upgrading a placeholder.
func (t *MediaTrackReceiver) SetupReceiver(r TrackReceiver) {
	t.lock.Lock()
	defer t.lock.Unlock()

	if dummy, ok := t.receiver.(*DummyReceiver); ok {
		dummy.Upgrade(r) // heldout:site
		return
	}
	t.receiver = r
}

// AddSubscriber adds a subscriber's down track to the current receiver.
func (t *MediaTrackReceiver) AddSubscriber(dt *DownTrack) error {
	t.lock.RLock()
	r := t.receiver
	t.lock.RUnlock()
	return r.AddDownTrack(dt)
}

// MediaTrackParams configure a media track.
type MediaTrackParams struct {
	OnTrackEverSubscribed func(TrackID)
}

// MediaTrack is a published track.
type MediaTrack struct {
	*MediaTrackReceiver
	params         MediaTrackParams
	everSubscribed atomic.Bool
}

// NewMediaTrack returns a track with a placeholder receiver.
func NewMediaTrack(id TrackID, params MediaTrackParams) *MediaTrack {
	return &MediaTrack{
		MediaTrackReceiver: &MediaTrackReceiver{trackID: id, receiver: &DummyReceiver{}},
		params:             params,
	}
}

// NewReceiver makes the publisher's receiver for the track.
func (t *MediaTrack) NewReceiver() *WebRTCReceiver {
	w := &WebRTCReceiver{}
	w.OnDownTrackEverAdded(t.handleReceiverEverAddDowntrack)
	return w
}

func (t *MediaTrack) handleReceiverEverAddDowntrack() {
	if !t.everSubscribed.Swap(true) && t.params.OnTrackEverSubscribed != nil {
		go t.params.OnTrackEverSubscribed(t.ID()) // heldout:site
	}
}

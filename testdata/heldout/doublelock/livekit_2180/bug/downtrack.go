// Package bug is a held-out kernel (issue 14): a DownTrack runs its
// onBinding callback under bindLock, and the callback sets the max layer,
// which posts to the layer notifier under the same bindLock.
//
// Upstream: livekit/livekit#2180 ("Fix deadlock")
// Round: 19
//
// Bug: a previous change wrapped the post to the max layer notifier
// channel in d.bindLock, so that it cannot race with Close closing the
// channel. Bind calls the onBinding callback while it holds d.bindLock,
// and the subscribed track's onBinding callback calls
// SetMaxSpatialLayer, which calls postMaxLayerNotifierEvent, which takes
// d.bindLock again: the binding goroutine blocks on the lock it holds, and
// every later user of the down track behind it (the PR: "onBinding
// callback happens within that lock and that onBinding callback can call
// set max layer which will post to channel"). Reduced from
// pkg/sfu/downtrack.go and pkg/rtc/subscribedtrack.go; the PR text gives
// the cycle, and the forwarder, the codec negotiation, the RTCP handling
// and the worker's callbacks are our reduction.
//
// Fix: the notifier channel gets its own mutex, maxLayerNotifierChMu, taken
// by postMaxLayerNotifierEvent and by Close around closing the channel,
// instead of bindLock.
package bug

import (
	"errors"
	"sync"
)

// ErrDownTrackAlreadyBound is returned by a second Bind.
var ErrDownTrackAlreadyBound = errors.New("already bound")

// Forwarder chooses the layers forwarded to the subscriber.
type Forwarder struct {
	lock            sync.RWMutex
	maxSpatialLayer int32
}

// SetMaxSpatialLayer records the subscriber's max layer and reports a change.
func (f *Forwarder) SetMaxSpatialLayer(layer int32) bool {
	f.lock.Lock()
	defer f.lock.Unlock()
	if f.maxSpatialLayer == layer {
		return false
	}
	f.maxSpatialLayer = layer
	return true
}

// MaxSpatialLayer returns the current max layer.
func (f *Forwarder) MaxSpatialLayer() int32 {
	f.lock.RLock()
	defer f.lock.RUnlock()
	return f.maxSpatialLayer
}

// DownTrack forwards one published track to one subscriber.
type DownTrack struct {
	kind      string
	forwarder *Forwarder

	bindLock  sync.Mutex
	bound     bool
	codec     string
	onBinding func(error)

	maxLayerNotifierCh       chan string
	maxLayerNotifierChClosed bool

	onMaxLayerChanged func(layer int32)
}

// NewDownTrack returns a down track and starts its max layer notifier.
func NewDownTrack(kind string, onMaxLayerChanged func(layer int32)) *DownTrack {
	d := &DownTrack{
		kind:               kind,
		forwarder:          &Forwarder{maxSpatialLayer: -1},
		maxLayerNotifierCh: make(chan string, 20),
		onMaxLayerChanged:  onMaxLayerChanged,
	}
	go d.maxLayerNotifierWorker()
	return d
}

// OnBinding sets the callback run when the track is bound.
func (d *DownTrack) OnBinding(fn func(error)) {
	d.bindLock.Lock()
	defer d.bindLock.Unlock()
	d.onBinding = fn
}

// Bind is called by the peer connection when the track is negotiated.
func (d *DownTrack) Bind(codec string) error {
	d.bindLock.Lock()
	if d.bound {
		d.bindLock.Unlock()
		return ErrDownTrackAlreadyBound
	}
	d.codec = codec
	d.bound = true
	if d.onBinding != nil {
		d.onBinding(nil) // heldout:site
	}
	d.bindLock.Unlock()
	return nil
}

// SetMaxSpatialLayer limits the layers sent to the subscriber.
func (d *DownTrack) SetMaxSpatialLayer(layer int32) {
	if d.forwarder.SetMaxSpatialLayer(layer) {
		d.postMaxLayerNotifierEvent("max-subscribed")
	}
}

func (d *DownTrack) postMaxLayerNotifierEvent(event string) {
	if d.kind != "video" {
		return
	}
	d.bindLock.Lock() // heldout:site
	defer d.bindLock.Unlock()
	if !d.maxLayerNotifierChClosed {
		select {
		case d.maxLayerNotifierCh <- event:
		default:
			// notifier busy; the worker reads the latest layer anyway
		}
	}
}

func (d *DownTrack) maxLayerNotifierWorker() {
	for range d.maxLayerNotifierCh {
		if d.onMaxLayerChanged != nil {
			d.onMaxLayerChanged(d.forwarder.MaxSpatialLayer())
		}
	}
}

// Close unbinds the track and stops the notifier.
func (d *DownTrack) Close() {
	d.bindLock.Lock()
	d.bound = false
	if !d.maxLayerNotifierChClosed {
		d.maxLayerNotifierChClosed = true
		close(d.maxLayerNotifierCh)
	}
	d.bindLock.Unlock()
}

// SubscribedTrack is a participant's subscription to a published track.
type SubscribedTrack struct {
	downTrack *DownTrack

	settingsLock    sync.Mutex
	maxSpatialLayer int32
}

// NewSubscribedTrack wires a subscription to its down track.
func NewSubscribedTrack(dt *DownTrack, maxSpatialLayer int32) *SubscribedTrack {
	t := &SubscribedTrack{downTrack: dt, maxSpatialLayer: maxSpatialLayer}
	dt.OnBinding(func(err error) {
		if err != nil {
			return
		}
		t.settingsLock.Lock()
		layer := t.maxSpatialLayer
		t.settingsLock.Unlock()
		t.downTrack.SetMaxSpatialLayer(layer)
	})
	return t
}

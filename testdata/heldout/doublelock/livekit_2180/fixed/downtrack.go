// Package fixed is the fixed version of doublelock/livekit_2180: the max
// layer notifier channel has its own mutex, so posting from inside the
// onBinding callback does not take bindLock again.
//
// Upstream: livekit/livekit#2180 ("Fix deadlock")
// Round: 19
package fixed

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

	maxLayerNotifierChMu     sync.RWMutex
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
		d.onBinding(nil)
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
	d.maxLayerNotifierChMu.RLock()
	defer d.maxLayerNotifierChMu.RUnlock()
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
	d.bindLock.Unlock()

	d.maxLayerNotifierChMu.Lock()
	if !d.maxLayerNotifierChClosed {
		d.maxLayerNotifierChClosed = true
		close(d.maxLayerNotifierCh)
	}
	d.maxLayerNotifierChMu.Unlock()
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

// Package bug is a held-out kernel (issue 14): livekit's ProtoProxy hands
// callers of MarkDirty a channel that is closed once the proxied message
// has been regenerated, but performUpdate closes it only when the new
// message differs from the cached one; when updateFn returns an equal
// message it returns early, the await channel stays open, and a caller
// waiting for the update to be applied hangs for ever.
//
// Upstream: livekit/protocol#603 ("Close await chan when there is no change in message.")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: MarkDirty marks the proxy dirty, lazily makes p.awaitChan and
// queues an update for the worker goroutine, then returns the channel.
// The worker runs performUpdate, which computes the message and, if
// proto.Equal says nothing changed, unlocks and returns ("no change, skip
// the notification"); the await channel is closed only on the path that
// stores a new message. The PR: "Else, call sites waiting on update to be
// applied could hang." Our reduction: the await channel's close after the
// equality check is our reading of the code before the PR (the thread
// gives the title only); core.Fuse is a done channel closed once,
// proto.Equal is reflect.DeepEqual, and the stopped check in MarkDirty is
// ours so that a call after Stop does not wait on a stopped worker.
//
// Fix: performUpdate takes p.awaitChan (and sets it to nil) before it
// calls updateFn and closes it with a defer, so every update, changed or
// not, releases the waiters; Stop closes a pending await channel too.
package bug

import (
	"reflect"
	"sync"
	"time"
)

// ProtoProxy caches a message that is expensive to compute.
type ProtoProxy[T any] struct {
	message         T
	updateFn        func() T
	stopOnce        sync.Once
	stopping        chan struct{}
	updateChan      chan struct{}
	awaitChan       chan struct{}
	done            chan struct{}
	queueUpdate     chan struct{}
	dirty           bool
	stopped         bool
	refreshedAt     time.Time
	refreshInterval time.Duration
	lock            sync.RWMutex
}

// NewProtoProxy regenerates the message at most every refreshInterval.
func NewProtoProxy[T any](refreshInterval time.Duration, updateFn func() T) *ProtoProxy[T] {
	p := &ProtoProxy[T]{
		updateChan:      make(chan struct{}, 1),
		updateFn:        updateFn,
		stopping:        make(chan struct{}),
		done:            make(chan struct{}),
		refreshInterval: refreshInterval,
		queueUpdate:     make(chan struct{}, 1),
	}
	p.performUpdate(true)
	go p.worker()
	return p
}

// MarkDirty asks for the message to be regenerated; the returned channel
// is closed once the update has been applied.
func (p *ProtoProxy[T]) MarkDirty(immediate bool) <-chan struct{} {
	p.lock.Lock()
	if p.stopped {
		p.lock.Unlock()
		c := make(chan struct{})
		close(c)
		return c
	}
	p.dirty = true
	shouldUpdate := immediate || time.Since(p.refreshedAt) > p.refreshInterval

	if p.awaitChan == nil {
		p.awaitChan = make(chan struct{})
	}
	awaitChan := p.awaitChan
	p.lock.Unlock()

	if shouldUpdate {
		select {
		case p.queueUpdate <- struct{}{}:
		default:
		}
	}
	return awaitChan
}

// Updated fires when the message has changed.
func (p *ProtoProxy[T]) Updated() <-chan struct{} {
	return p.updateChan
}

// Get returns the cached message.
func (p *ProtoProxy[T]) Get() T {
	p.lock.RLock()
	defer p.lock.RUnlock()
	return p.message
}

// Stop ends the worker.
func (p *ProtoProxy[T]) Stop() {
	p.stopOnce.Do(func() { close(p.stopping) })
	<-p.done

	p.lock.Lock()
	defer p.lock.Unlock()
	p.stopped = true
	if awaitChan := p.awaitChan; awaitChan != nil {
		p.awaitChan = nil
		close(awaitChan)
	}
}

func (p *ProtoProxy[T]) performUpdate(skipNotify bool) {
	p.lock.Lock()
	p.dirty = false
	p.lock.Unlock()

	msg := p.updateFn()

	p.lock.Lock()
	if reflect.DeepEqual(p.message, msg) {
		// no change, skip the notification
		p.lock.Unlock()
		return // heldout:site
	}
	p.message = msg
	p.refreshedAt = time.Now()
	if awaitChan := p.awaitChan; awaitChan != nil {
		p.awaitChan = nil
		close(awaitChan)
	}
	p.lock.Unlock()

	if !skipNotify {
		select {
		case p.updateChan <- struct{}{}:
		default:
		}
	}
}

func (p *ProtoProxy[T]) worker() {
	ticker := time.NewTicker(p.refreshInterval)
	defer ticker.Stop()
	defer close(p.done)

	for {
		select {
		case <-p.stopping:
			return
		case <-ticker.C:
			p.lock.RLock()
			shouldUpdate := p.dirty && time.Since(p.refreshedAt) > p.refreshInterval
			p.lock.RUnlock()
			if shouldUpdate {
				p.performUpdate(false)
			}
		case <-p.queueUpdate:
			p.performUpdate(false)
		}
	}
}

// ParticipantInfo is the proxied message.
type ParticipantInfo struct {
	Identity string
	Metadata string
}

// participant keeps its info behind a proxy.
type participant struct {
	mu       sync.Mutex
	identity string
	metadata string
	proxy    *ProtoProxy[*ParticipantInfo]
}

func newParticipant(identity string) *participant {
	p := &participant{identity: identity}
	p.proxy = NewProtoProxy(500*time.Millisecond, p.toProto)
	return p
}

func (p *participant) toProto() *ParticipantInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &ParticipantInfo{Identity: p.identity, Metadata: p.metadata}
}

// SetMetadata stores metadata and waits until the proxied info has it;
// setting the same metadata again waits for ever.
func (p *participant) SetMetadata(md string) *ParticipantInfo {
	p.mu.Lock()
	p.metadata = md
	p.mu.Unlock()

	<-p.proxy.MarkDirty(true) // heldout:site
	return p.proxy.Get()
}

func (p *participant) Close() {
	p.proxy.Stop()
}

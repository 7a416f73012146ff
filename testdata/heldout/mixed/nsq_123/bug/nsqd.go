// Package bug is a held-out kernel (issue 14): nsqd's exit, where a
// notification posted for a deleted ephemeral channel blocks on a channel
// send while holding the notify registry's read lock, because the lookup
// loop that receives it has already returned from its select; the lookup
// loop's exit path then waits for the registry's write lock to stop its
// subscriptions, and NSQd.Exit waits for the lookup loop.
//
// Upstream: nsqio/nsq#123 ("unlucky timing of notify.Post can cause exit deadlock")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: nsqd used the go-notify package: Start and Stop register and remove
// a subscriber channel for an event name under the package's RWMutex
// (write lock), and Post sends the value to every subscriber while holding
// the read lock. lookupLoop subscribes to "channel_change", receives from
// its channel in a select with exitChan, and on exit calls notify.Stop.
// An ephemeral channel removed from its topic posts "channel_change" from
// a goroutine; if that Post starts after lookupLoop has left its select
// (exitChan closed), its send has no receiver and it never releases the
// read lock, so lookupLoop's Stop never gets the write lock and Exit's
// WaitGroup never finishes. Topics, channels and the lookupd peers are
// reduced to what the notification path touches.
//
// Fix: a notification is sent in a select that also receives from the
// daemon's exitChan, so it cannot block the exit (nsqd's Notify has
// carried the comment "by selecting on exitChan we guarantee that we do
// not block exit, see issue #123" since); the rest of the PR is not shown
// in the thread we read, and the kernel's fixed Post is our reading.
package bug

import (
	"errors"
	"sync"
)

// The go-notify registry (package state, as in go-notify).
var (
	events  = make(map[string][]chan interface{})
	rwMutex sync.RWMutex
)

// Start subscribes outputChan to event.
func Start(event string, outputChan chan interface{}) {
	rwMutex.Lock()
	defer rwMutex.Unlock()
	events[event] = append(events[event], outputChan)
}

// Stop removes outputChan's subscription to event.
func Stop(event string, outputChan chan interface{}) error {
	rwMutex.Lock() // heldout:site
	defer rwMutex.Unlock()

	chans, ok := events[event]
	if !ok {
		return errors.New("event not found")
	}
	var kept []chan interface{}
	for _, ch := range chans {
		if ch != outputChan {
			kept = append(kept, ch)
		}
	}
	if len(kept) == 0 {
		delete(events, event)
	} else {
		events[event] = kept
	}
	return nil
}

// Post sends data to every subscriber of event.
func Post(event string, data interface{}) error {
	rwMutex.RLock() // heldout:site
	defer rwMutex.RUnlock()

	outChans, ok := events[event]
	if !ok {
		return errors.New("event not found")
	}
	for _, outputChan := range outChans {
		outputChan <- data // heldout:site
	}
	return nil
}

// Channel is a topic's channel.
type Channel struct {
	name      string
	ephemeral bool
}

// Topic holds channels.
type Topic struct {
	sync.RWMutex
	name       string
	channelMap map[string]*Channel
}

// DeleteExistingChannel removes a channel and, for an ephemeral one,
// tells the lookup loop.
func (t *Topic) DeleteExistingChannel(name string) {
	t.Lock()
	c, ok := t.channelMap[name]
	if ok {
		delete(t.channelMap, name)
	}
	t.Unlock()
	if ok && c.ephemeral {
		go Post("channel_change", c)
	}
}

// NSQd is the daemon.
type NSQd struct {
	exitChan  chan struct{}
	waitGroup sync.WaitGroup

	mu        sync.Mutex
	announced []string
}

// New starts the daemon's lookup loop.
func New() *NSQd {
	n := &NSQd{exitChan: make(chan struct{})}
	notifyChannelChan := make(chan interface{})
	Start("channel_change", notifyChannelChan)
	n.waitGroup.Add(1)
	go func() {
		defer n.waitGroup.Done()
		n.lookupLoop(notifyChannelChan)
	}()
	return n
}

// lookupLoop tells the lookupd peers about channel changes.
func (n *NSQd) lookupLoop(notifyChannelChan chan interface{}) {
	for {
		select {
		case v := <-notifyChannelChan:
			c := v.(*Channel)
			n.mu.Lock()
			n.announced = append(n.announced, c.name)
			n.mu.Unlock()
		case <-n.exitChan:
			goto exit
		}
	}
exit:
	Stop("channel_change", notifyChannelChan) // heldout:site
}

// Exit stops the daemon and waits for its loops.
func (n *NSQd) Exit() {
	close(n.exitChan)
	n.waitGroup.Wait() // heldout:site
}

// exitWhileEphemeralChannelGoes is the last consumer of an ephemeral
// channel leaving while the daemon exits.
func exitWhileEphemeralChannelGoes() {
	n := New()
	t := &Topic{name: "events", channelMap: map[string]*Channel{
		"tail#ephemeral": {name: "tail#ephemeral", ephemeral: true},
	}}
	t.DeleteExistingChannel("tail#ephemeral")
	n.Exit()
}

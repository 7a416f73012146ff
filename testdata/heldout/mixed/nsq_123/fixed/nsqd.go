// Package fixed is the fixed version of mixed/nsq_123: a notification is
// sent in a select that also watches the daemon's exitChan, so a post that
// comes after the lookup loop has gone gives up and releases the read lock.
package fixed

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
	rwMutex.Lock()
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

// Post sends data to every subscriber of event, giving up once exit is
// closed.
func Post(event string, data interface{}, exit <-chan struct{}) error {
	rwMutex.RLock()
	defer rwMutex.RUnlock()

	outChans, ok := events[event]
	if !ok {
		return errors.New("event not found")
	}
	for _, outputChan := range outChans {
		// by selecting on exit we guarantee that we do not block exit
		select {
		case outputChan <- data:
		case <-exit:
			return errors.New("exiting")
		}
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
	nsqd       *NSQd
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
		go Post("channel_change", c, t.nsqd.exitChan)
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
	Stop("channel_change", notifyChannelChan)
}

// Exit stops the daemon and waits for its loops.
func (n *NSQd) Exit() {
	close(n.exitChan)
	n.waitGroup.Wait()
}

// exitWhileEphemeralChannelGoes is the last consumer of an ephemeral
// channel leaving while the daemon exits.
func exitWhileEphemeralChannelGoes() {
	n := New()
	t := &Topic{name: "events", nsqd: n, channelMap: map[string]*Channel{
		"tail#ephemeral": {name: "tail#ephemeral", ephemeral: true},
	}}
	t.DeleteExistingChannel("tail#ephemeral")
	n.Exit()
}

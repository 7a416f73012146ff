// Package fixed is the fixed version of chanrecv/chainlink_9864: Close
// closes the Events channel once the queue worker has stopped, so ranging
// listeners end.
package fixed

import (
	"errors"
	"sync"
)

// Event is one Postgres notification.
type Event struct {
	Channel string
	Payload string
}

// Subscription is a subscription to a Postgres event channel.
type Subscription interface {
	Events() <-chan Event
	Close()

	ChannelName() string
	InterestedIn(event Event) bool
	Send(event Event)
}

// EventBroadcaster fans Postgres notifications out to subscribers.
type EventBroadcaster interface {
	Subscribe(channel, payloadFilter string) (Subscription, error)
}

type eventBroadcaster struct {
	subscriptions   map[string]map[Subscription]struct{}
	subscriptionsMu sync.RWMutex
	closed          bool
}

// NewEventBroadcaster returns a broadcaster with no subscribers.
func NewEventBroadcaster() *eventBroadcaster {
	return &eventBroadcaster{subscriptions: make(map[string]map[Subscription]struct{})}
}

func (b *eventBroadcaster) Subscribe(channel, payloadFilter string) (Subscription, error) {
	b.subscriptionsMu.Lock()
	defer b.subscriptionsMu.Unlock()
	if b.closed {
		return nil, errors.New("event broadcaster closed")
	}
	if _, exists := b.subscriptions[channel]; !exists {
		b.subscriptions[channel] = make(map[Subscription]struct{})
	}
	sub := &subscription{
		channel:          channel,
		payloadFilter:    payloadFilter,
		eventBroadcaster: b,
		chEvents:         make(chan Event),
		chDone:           make(chan struct{}),
		chWake:           make(chan struct{}, 1),
		chWorkerDone:     make(chan struct{}),
	}
	go sub.processQueueWorker()
	b.subscriptions[channel][sub] = struct{}{}
	return sub, nil
}

func (b *eventBroadcaster) removeSubscription(sub Subscription) {
	b.subscriptionsMu.Lock()
	defer b.subscriptionsMu.Unlock()
	subs, exists := b.subscriptions[sub.ChannelName()]
	if !exists {
		return
	}
	delete(subs, sub)
	if len(subs) == 0 {
		delete(b.subscriptions, sub.ChannelName())
	}
}

func (b *eventBroadcaster) broadcast(event Event) {
	b.subscriptionsMu.RLock()
	defer b.subscriptionsMu.RUnlock()
	var wg sync.WaitGroup
	for sub := range b.subscriptions[event.Channel] {
		if sub.InterestedIn(event) {
			wg.Add(1)
			go func(sub Subscription) {
				defer wg.Done()
				sub.Send(event)
			}(sub)
		}
	}
	wg.Wait()
}

type subscription struct {
	channel          string
	payloadFilter    string
	eventBroadcaster *eventBroadcaster

	queueMu sync.Mutex
	queue   []Event

	chEvents     chan Event
	chDone       chan struct{}
	chWake       chan struct{}
	chWorkerDone chan struct{}
}

var _ Subscription = (*subscription)(nil)

func (sub *subscription) InterestedIn(event Event) bool {
	return sub.payloadFilter == event.Payload || sub.payloadFilter == ""
}

func (sub *subscription) Send(event Event) {
	sub.queueMu.Lock()
	sub.queue = append(sub.queue, event)
	sub.queueMu.Unlock()
	select {
	case sub.chWake <- struct{}{}:
	default:
	}
}

func (sub *subscription) take() (Event, bool) {
	sub.queueMu.Lock()
	defer sub.queueMu.Unlock()
	if len(sub.queue) == 0 {
		return Event{}, false
	}
	ev := sub.queue[0]
	sub.queue = sub.queue[1:]
	return ev, true
}

// processQueueWorker forwards queued events to Events until chDone closes.
func (sub *subscription) processQueueWorker() {
	defer close(sub.chWorkerDone)
	for {
		select {
		case <-sub.chDone:
			return
		case <-sub.chWake:
		}
		for {
			event, ok := sub.take()
			if !ok {
				break
			}
			select {
			case sub.chEvents <- event:
			case <-sub.chDone:
				return
			}
		}
	}
}

func (sub *subscription) Events() <-chan Event {
	return sub.chEvents
}

func (sub *subscription) ChannelName() string {
	return sub.channel
}

func (sub *subscription) Close() {
	sub.eventBroadcaster.removeSubscription(sub)
	// Close chDone before stopping the worker to avoid deadlocks.
	close(sub.chDone)
	<-sub.chWorkerDone
	// The worker has stopped sending: tell Events readers there is no more.
	close(sub.chEvents)
}

// Listener runs a handler for each notification on one channel until it is
// closed.
type Listener struct {
	sub    Subscription
	handle func(Event)
	chDone chan struct{}
}

// NewListener subscribes to channel on b.
func NewListener(b EventBroadcaster, channel string, handle func(Event)) (*Listener, error) {
	sub, err := b.Subscribe(channel, "")
	if err != nil {
		return nil, err
	}
	return &Listener{sub: sub, handle: handle, chDone: make(chan struct{})}, nil
}

// Start runs the handler loop on its own goroutine.
func (l *Listener) Start() {
	go func() {
		defer close(l.chDone)
		for ev := range l.sub.Events() {
			l.handle(ev)
		}
	}()
}

// Close ends the subscription and waits for the handler loop to finish.
func (l *Listener) Close() {
	l.sub.Close()
	<-l.chDone
}

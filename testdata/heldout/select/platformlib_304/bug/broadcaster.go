// Package bug is a held-out kernel (issue 14): a notification broadcaster
// runs one loop that serves subscribe and unsubscribe requests over
// unbuffered channels; once that loop has exited (on stop, or when the
// listener's channel closes) an Unsubscribe's plain send has no receiver
// and blocks for ever, and so does every later Subscribe.
//
// Upstream: rstudio/platform-lib#304 ("Fix Unsubscribe deadlock during shutdown")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: pkg/rsnotify/broadcaster's NotificationBroadcaster.broadcast loops
// selecting on stopSignal, the listener's msgs and errs, subscribe and
// unsubscribe; on stop or a closed msgs it closes every sink and returns,
// its deferred close(b.stopSignal) marking it gone. Unsubscribe starts a
// drainer goroutine on the subscriber's channel and then does
// `b.unsubscribe <- ch`; Subscribe and SubscribeOne do `b.subscribe <-
// Subscription{...}`. The PR: "if the broadcaster stops before a
// subscriber calls Unsubscribe, the send to the unsubscribe channel has no
// receiver and blocks forever, causing a goroutine leak." The Postgres
// NOTIFY listener is reduced to an interface.
//
// Fix: Unsubscribe sends in a select that also receives from stopSignal
// (closed once the loop has exited, after it closed every sink, so the
// drainer ends too). The review pointed out that Subscribe and
// SubscribeOne have the same unguarded send; the fixed version here
// guards them the same way, which is our addition.
package bug

import "log"

// Notification is a NOTIFY payload.
type Notification interface {
	Type() uint8
}

// Listener is a Postgres LISTEN connection.
type Listener interface {
	Listen() (chan Notification, chan error, error)
	IP() string
}

// Matcher selects the one notification a SubscribeOne waits for.
type Matcher func(Notification) bool

// Subscription is one subscriber's channel and filter.
type Subscription struct {
	C    chan Notification
	T    uint8
	One  Matcher
	Used bool
}

// NotificationBroadcaster streams the events of one listener to many
// subscribers.
type NotificationBroadcaster struct {
	listener    Listener
	msgs        chan Notification
	errs        chan error
	subscribe   chan Subscription
	unsubscribe chan (<-chan Notification)
	stopSignal  chan bool
}

// NewNotificationBroadcaster starts broadcasting l's notifications until
// stop receives a value or the listener's channel closes.
func NewNotificationBroadcaster(l Listener, stop chan bool) (*NotificationBroadcaster, error) {
	b := &NotificationBroadcaster{
		listener:    l,
		subscribe:   make(chan Subscription),
		unsubscribe: make(chan (<-chan Notification)),
		stopSignal:  stop,
	}
	var err error
	b.msgs, b.errs, err = b.listener.Listen()
	if err != nil {
		return nil, err
	}
	go b.broadcast()
	return b, nil
}

func (b *NotificationBroadcaster) broadcast() {
	sinks := make([]Subscription, 0)
	defer close(b.stopSignal)
	for {
		select {
		case <-b.stopSignal:
			b.stop(sinks)
			return // heldout:site
		case msg, more := <-b.msgs:
			if !more {
				b.stop(sinks)
				return // heldout:site
			}
			var needFilter bool
			for i, sink := range sinks {
				if msg.Type() != sink.T {
					continue
				}
				if sink.One != nil {
					if sink.One(msg) {
						sink.C <- msg
						close(sink.C)
						sinks[i].Used = true
						needFilter = true
					}
				} else {
					sink.C <- msg
				}
			}
			if needFilter {
				sinks = Filter(sinks)
			}
		case err, more := <-b.errs:
			if more {
				log.Printf("Received error on queue addressed work notification channel: %s", err)
			}
		case sink := <-b.subscribe:
			sinks = append(sinks, sink)
		case sink := <-b.unsubscribe:
			for i, c := range sinks {
				if c.C == sink {
					sinks = append(sinks[:i], sinks[i+1:]...)
					close(c.C)
					break
				}
			}
		}
	}
}

// Filter drops the SubscribeOne sinks that got their notification.
func Filter(sinks []Subscription) []Subscription {
	newSinks := make([]Subscription, 0)
	for _, sink := range sinks {
		if !sink.Used {
			newSinks = append(newSinks, sink)
		}
	}
	return newSinks
}

// Subscribe returns a channel receiving every notification of dataType.
func (b *NotificationBroadcaster) Subscribe(dataType uint8) <-chan Notification {
	c := make(chan Notification)
	b.subscribe <- Subscription{C: c, T: dataType} // heldout:site
	return c
}

// SubscribeOne returns a channel receiving the first notification of
// dataType that matcher accepts.
func (b *NotificationBroadcaster) SubscribeOne(dataType uint8, matcher Matcher) <-chan Notification {
	c := make(chan Notification)
	b.subscribe <- Subscription{C: c, T: dataType, One: matcher} // heldout:site
	return c
}

// Unsubscribe removes ch; the broadcaster closes it.
func (b *NotificationBroadcaster) Unsubscribe(ch <-chan Notification) {
	drainer := func() {
		// The broadcaster may still be sending to ch while we
		// unsubscribe; drain it until it is closed.
		for {
			if _, more := <-ch; !more {
				return
			}
		}
	}
	go drainer()
	b.unsubscribe <- ch // heldout:site
}

// stop closes the subscribers' channels.
func (b *NotificationBroadcaster) stop(sinks []Subscription) {
	for _, sink := range sinks {
		close(sink.C)
	}
}

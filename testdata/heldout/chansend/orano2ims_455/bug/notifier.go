// Package bug is a held-out kernel (issue 14): an O-RAN O2 IMS server's
// notifier loop takes database change events and subscription events from
// buffered channels until its context is cancelled; the listeners feeding
// it write with plain sends, so once the loop has exited on shutdown a
// listener that fills the buffer blocks for ever on its next send (and,
// under load, it already waits whenever the notifier falls behind).
//
// Upstream: openshift-kni/oran-o2ims#455 ("Fix notifier related hangs on shutdown")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: internal/service/common/notifier's Notifier.Run selects on the
// job-complete, notification and subscription channels (each made with
// DefaultBufferedChannelSize, 10) and ctx.Done(), on which it shuts its
// workers down and returns. Notify does `n.notificationChannel <- event`
// and SubscriptionEvent does `n.subscriptionChannel <- event`; they are
// called from the Postgres LISTEN goroutines. The PR: "If this condition
// is present while the process is shut down, then the source go routine
// will hang waiting to send to the channel(s)." The LISTEN connection and
// the persistence providers are interfaces; the subscription workers'
// delivery and completion reporting are reduced to a queue and a callback.
//
// Fix: Notify and SubscriptionEvent take the caller's context and send in
// a select that also receives from ctx.Done().
package bug

import (
	"context"
	"log/slog"
	"sync"
)

// DefaultBufferedChannelSize defines the default size for buffered
// channels used across the notifier.
const DefaultBufferedChannelSize = 10

// Notification is a generic change event.
type Notification struct {
	NotificationID string
	SequenceID     int
	Payload        any
}

// SubscriptionInfo is a generic subscription.
type SubscriptionInfo struct {
	SubscriptionID string
	Callback       string
	EventCursor    int
}

// SubscriptionEvent tells the notifier a subscription was added or
// removed.
type SubscriptionEvent struct {
	Removed      bool
	Subscription *SubscriptionInfo
}

// SubscriptionProvider persists subscriptions.
type SubscriptionProvider interface {
	Matches(subscription *SubscriptionInfo, notification *Notification) bool
}

// NotificationProvider persists notifications.
type NotificationProvider interface {
	DeleteNotification(ctx context.Context, notificationID string) error
}

// SubscriptionWorker delivers notifications to one subscriber.
type SubscriptionWorker struct {
	subscription *SubscriptionInfo
	mu           sync.Mutex
	queue        []*Notification
	signal       chan struct{}
	ctx          context.Context
	cancel       context.CancelFunc
	deliver      func(ctx context.Context, s *SubscriptionInfo, n *Notification) error
}

// NewSubscriptionWorker returns a worker for s.
func NewSubscriptionWorker(ctx context.Context, s *SubscriptionInfo, deliver func(context.Context, *SubscriptionInfo, *Notification) error) *SubscriptionWorker {
	ctx, cancel := context.WithCancel(ctx)
	return &SubscriptionWorker{subscription: s, signal: make(chan struct{}, 1), ctx: ctx, cancel: cancel, deliver: deliver}
}

// NewNotification queues n for delivery.
func (w *SubscriptionWorker) NewNotification(n *Notification) {
	w.mu.Lock()
	w.queue = append(w.queue, n)
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// Run delivers queued notifications until Shutdown.
func (w *SubscriptionWorker) Run() {
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.signal:
			w.mu.Lock()
			queue := w.queue
			w.queue = nil
			w.mu.Unlock()
			for _, n := range queue {
				if err := w.deliver(w.ctx, w.subscription, n); err != nil {
					slog.Error("failed to deliver notification", "subscription", w.subscription.SubscriptionID, "error", err)
				}
			}
		}
	}
}

// Shutdown stops the worker.
func (w *SubscriptionWorker) Shutdown() { w.cancel() }

// Notifier dispatches change events to the subscription workers.
type Notifier struct {
	notificationChannel  chan *Notification
	subscriptionChannel  chan *SubscriptionEvent
	workers              map[string]*SubscriptionWorker
	subscriptionProvider SubscriptionProvider
	notificationProvider NotificationProvider
	deliver              func(context.Context, *SubscriptionInfo, *Notification) error
}

// NewNotifier returns a notifier.
func NewNotifier(sp SubscriptionProvider, np NotificationProvider, deliver func(context.Context, *SubscriptionInfo, *Notification) error) *Notifier {
	return &Notifier{
		notificationChannel:  make(chan *Notification, DefaultBufferedChannelSize),
		subscriptionChannel:  make(chan *SubscriptionEvent, DefaultBufferedChannelSize),
		workers:              make(map[string]*SubscriptionWorker),
		subscriptionProvider: sp,
		notificationProvider: np,
		deliver:              deliver,
	}
}

// Run is the notifier's main loop.
func (n *Notifier) Run(ctx context.Context) error {
	for {
		select {
		case e := <-n.notificationChannel:
			n.handleNotification(ctx, e)
		case e := <-n.subscriptionChannel:
			n.handleSubscriptionEvent(ctx, e)
		case <-ctx.Done():
			for _, w := range n.workers {
				w.Shutdown()
			}
			slog.Info("context terminated; notifier exiting")
			return nil // heldout:site
		}
	}
}

// Notify signals that a database change has occurred.
func (n *Notifier) Notify(event *Notification) {
	n.notificationChannel <- event // heldout:site
}

// SubscriptionEvent signals that a subscription changed.
func (n *Notifier) SubscriptionEvent(event *SubscriptionEvent) {
	n.subscriptionChannel <- event // heldout:site
}

func (n *Notifier) handleNotification(ctx context.Context, event *Notification) {
	count := 0
	for _, w := range n.workers {
		if n.subscriptionProvider.Matches(w.subscription, event) {
			w.NewNotification(event)
			count++
		}
	}
	if count == 0 {
		if err := n.notificationProvider.DeleteNotification(ctx, event.NotificationID); err != nil {
			slog.Error("failed to delete notification", "error", err)
		}
	}
}

func (n *Notifier) handleSubscriptionEvent(ctx context.Context, event *SubscriptionEvent) {
	id := event.Subscription.SubscriptionID
	if event.Removed {
		if w, ok := n.workers[id]; ok {
			w.Shutdown()
			delete(n.workers, id)
		}
		return
	}
	w := NewSubscriptionWorker(ctx, event.Subscription, n.deliver)
	n.workers[id] = w
	go w.Run()
}

// PgListener is a Postgres LISTEN connection.
type PgListener interface {
	WaitForNotification(ctx context.Context) (channel string, payload *Notification, sub *SubscriptionEvent, err error)
}

// listenChannel forwards the database's notifications to the notifier
// until ctx is done.
func listenChannel(ctx context.Context, l PgListener, n *Notifier) {
	for {
		_, payload, sub, err := l.WaitForNotification(ctx)
		if err != nil {
			return
		}
		if sub != nil {
			n.SubscriptionEvent(sub)
			continue
		}
		n.Notify(payload)
	}
}

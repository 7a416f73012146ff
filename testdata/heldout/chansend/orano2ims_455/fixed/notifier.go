// Package fixed is the fixed version of chansend/orano2ims_455: the
// listeners' sends to the notifier also wait on their context, so they give
// up once the server is shutting down.
package fixed

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
			return nil
		}
	}
}

// Notify signals that a database change has occurred.
func (n *Notifier) Notify(ctx context.Context, event *Notification) {
	select {
	case n.notificationChannel <- event:
	case <-ctx.Done():
		slog.Warn("context canceled; notification not sent", "NotificationID", event.NotificationID)
	}
}

// SubscriptionEvent signals that a subscription changed.
func (n *Notifier) SubscriptionEvent(ctx context.Context, event *SubscriptionEvent) {
	select {
	case n.subscriptionChannel <- event:
	case <-ctx.Done():
		slog.Warn("context canceled; subscription event not sent")
	}
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
			n.SubscriptionEvent(ctx, sub)
			continue
		}
		n.Notify(ctx, payload)
	}
}

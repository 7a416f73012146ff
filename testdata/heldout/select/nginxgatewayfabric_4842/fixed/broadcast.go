// Package fixed is the fixed version of select/nginxgatewayfabric_4842:
// subscriptions and publishing run in separate goroutines, and each
// listener's context, cancelled when it unsubscribes, releases a publish
// that waits on it.
package fixed

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
)

// NginxAgentMessage is a configuration update for the agents.
type NginxAgentMessage struct {
	ConfigVersion string
	Files         []string
}

// SubscriberChannels are handed to a subscriber.
type SubscriberChannels struct {
	ListenCh   <-chan NginxAgentMessage
	ResponseCh chan<- struct{}
	ID         string
}

type storedChannels struct {
	listenCh    chan<- NginxAgentMessage
	responseCh  <-chan struct{}
	listenerCtx context.Context
	cancel      context.CancelFunc
	id          string
}

// DeploymentBroadcaster sends configuration updates to every subscribed
// agent connection and waits for their answers.
type DeploymentBroadcaster struct {
	publishCh chan NginxAgentMessage
	subCh     chan storedChannels
	unsubCh   chan string
	listeners map[string]storedChannels
	doneCh    chan struct{}
	nextID    atomic.Int64

	broadcasterCtx    context.Context
	broadcasterCancel context.CancelFunc
	mu                sync.RWMutex
}

// NewDeploymentBroadcaster starts the broadcaster.
func NewDeploymentBroadcaster(ctx context.Context, stopCh chan struct{}) *DeploymentBroadcaster {
	broadcasterCtx, broadcasterCancel := context.WithCancel(ctx)
	b := &DeploymentBroadcaster{
		listeners:         make(map[string]storedChannels),
		publishCh:         make(chan NginxAgentMessage),
		subCh:             make(chan storedChannels),
		unsubCh:           make(chan string),
		doneCh:            make(chan struct{}),
		broadcasterCtx:    broadcasterCtx,
		broadcasterCancel: broadcasterCancel,
	}
	go b.subscriber(stopCh)
	go b.publisher()
	return b
}

// Subscribe registers a listener.
func (b *DeploymentBroadcaster) Subscribe() SubscriberChannels {
	listenCh := make(chan NginxAgentMessage)
	responseCh := make(chan struct{})
	id := strconv.FormatInt(b.nextID.Add(1), 10)
	listenerCtx, cancel := context.WithCancel(b.broadcasterCtx)
	stored := storedChannels{id: id, listenCh: listenCh, responseCh: responseCh, listenerCtx: listenerCtx, cancel: cancel}
	sub := SubscriberChannels{ID: id, ListenCh: listenCh, ResponseCh: responseCh}
	select {
	case <-b.broadcasterCtx.Done():
		cancel()
	case b.subCh <- stored:
	}
	return sub
}

// Send publishes message and waits until every listener has answered.
func (b *DeploymentBroadcaster) Send(message NginxAgentMessage) bool {
	select {
	case b.publishCh <- message:
	case <-b.broadcasterCtx.Done():
		return false
	}
	select {
	case <-b.doneCh:
	case <-b.broadcasterCtx.Done():
		return false
	}
	b.mu.RLock()
	n := len(b.listeners)
	b.mu.RUnlock()
	return n > 0
}

// CancelSubscription removes a listener.
func (b *DeploymentBroadcaster) CancelSubscription(id string) {
	select {
	case b.unsubCh <- id:
	case <-b.broadcasterCtx.Done():
	}
}

func (b *DeploymentBroadcaster) subscriber(stopCh chan struct{}) {
	defer b.broadcasterCancel()
	for {
		select {
		case <-stopCh:
			return
		case <-b.broadcasterCtx.Done():
			return
		case channels := <-b.subCh:
			b.mu.Lock()
			b.listeners[channels.id] = channels
			b.mu.Unlock()
		case id := <-b.unsubCh:
			b.mu.Lock()
			if channels, ok := b.listeners[id]; ok {
				channels.cancel()
				delete(b.listeners, id)
			}
			b.mu.Unlock()
		}
	}
}

func (b *DeploymentBroadcaster) publisher() {
	for {
		select {
		case <-b.broadcasterCtx.Done():
			return
		case msg := <-b.publishCh:
			b.mu.RLock()
			current := make([]storedChannels, 0, len(b.listeners))
			for _, c := range b.listeners {
				current = append(current, c)
			}
			b.mu.RUnlock()

			var wg sync.WaitGroup
			for _, channels := range current {
				wg.Add(1)
				go func() {
					defer wg.Done()
					select {
					case <-channels.listenerCtx.Done():
						return
					case channels.listenCh <- msg:
					}
					select {
					case <-channels.listenerCtx.Done():
					case <-channels.responseCh:
					}
				}()
			}
			wg.Wait()

			select {
			case <-b.broadcasterCtx.Done():
				return
			case b.doneCh <- struct{}{}:
			}
		}
	}
}

// Subscription is one agent connection's side: it applies every update
// until its stream's context ends, then unsubscribes.
func Subscription(ctx context.Context, b *DeploymentBroadcaster, apply func(NginxAgentMessage)) {
	chans := b.Subscribe()
	defer b.CancelSubscription(chans.ID)
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-chans.ListenCh:
			apply(msg)
			select {
			case chans.ResponseCh <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}
}

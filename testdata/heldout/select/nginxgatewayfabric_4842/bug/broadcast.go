// Package bug is a held-out kernel (issue 14): a deployment broadcaster's
// single run loop selects over subscribe, unsubscribe and publish, and
// handles a publish inline by waiting until every listener has taken the
// message and answered; when a listener's stream has ended and both its
// unsubscribe and a new publish are pending, the select may take the
// publish, and the loop then waits for ever on a listener that is gone,
// with the unsubscribe, later publishes and the sender all stuck.
//
// Upstream: nginx/nginx-gateway-fabric#4842 ("Subscriber and broadcaster select statement logic results in NGF occasionally deadlocking")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the issue: run "uses a select statement which depends on the
// priority selection of cases based on their ordering ... This is not how
// Golang handles this scenario"; while a publish is in flight, the
// subscriber's context is cancelled and it sends on unsubCh, another
// message arrives on publishCh, and if the select picks the publish the
// broadcaster sends to a listener nobody reads any more. The issue gives
// the scenario and the fix PR (#4978) the new code; the one-loop run
// method and the agent-side Subscription loop here are our reconstruction
// of the code before the fix.
//
// Fix: subscriptions are handled by one goroutine and publishing by
// another; each listener gets a context, cancelled when it unsubscribes,
// and the publisher's per-listener send and wait select on it, so a gone
// listener no longer holds up the broadcast.
package bug

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
	listenCh   chan<- NginxAgentMessage
	responseCh <-chan struct{}
	id         string
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
}

// NewDeploymentBroadcaster starts the broadcaster.
func NewDeploymentBroadcaster(ctx context.Context, stopCh chan struct{}) *DeploymentBroadcaster {
	b := &DeploymentBroadcaster{
		listeners: make(map[string]storedChannels),
		publishCh: make(chan NginxAgentMessage),
		subCh:     make(chan storedChannels),
		unsubCh:   make(chan string),
		doneCh:    make(chan struct{}),
	}
	go b.run(ctx, stopCh)
	return b
}

// Subscribe registers a listener.
func (b *DeploymentBroadcaster) Subscribe() SubscriberChannels {
	listenCh := make(chan NginxAgentMessage)
	responseCh := make(chan struct{})
	id := strconv.FormatInt(b.nextID.Add(1), 10)
	b.subCh <- storedChannels{id: id, listenCh: listenCh, responseCh: responseCh}
	return SubscriberChannels{ID: id, ListenCh: listenCh, ResponseCh: responseCh}
}

// Send publishes message and waits until every listener has answered.
func (b *DeploymentBroadcaster) Send(message NginxAgentMessage) bool {
	b.publishCh <- message // heldout:site
	<-b.doneCh             // heldout:site
	return true
}

// CancelSubscription removes a listener.
func (b *DeploymentBroadcaster) CancelSubscription(id string) {
	b.unsubCh <- id // heldout:site
}

func (b *DeploymentBroadcaster) run(ctx context.Context, stopCh chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		case <-ctx.Done():
			return
		case channels := <-b.subCh:
			b.listeners[channels.id] = channels
		case id := <-b.unsubCh:
			delete(b.listeners, id)
		case msg := <-b.publishCh: // heldout:site
			var wg sync.WaitGroup
			wg.Add(len(b.listeners))
			for _, channels := range b.listeners {
				go func() {
					defer wg.Done()
					channels.listenCh <- msg // heldout:site
					<-channels.responseCh
				}()
			}
			wg.Wait() // heldout:site
			b.doneCh <- struct{}{}
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

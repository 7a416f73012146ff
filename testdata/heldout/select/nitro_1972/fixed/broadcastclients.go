// Package fixed is the fixed version of select/nitro_1972: the router
// forwards a confirmation only when it has a listener channel.
package fixed

import (
	"context"
	"log"
	"sync"
	"time"
)

// MessageIndex numbers the sequencer's messages.
type MessageIndex uint64

// BroadcastFeedMessage is one message of the sequencer feed.
type BroadcastFeedMessage struct {
	SequenceNumber MessageIndex
	Payload        []byte
}

// TransactionStreamerInterface takes routed feed messages.
type TransactionStreamerInterface interface {
	AddBroadcastMessages(msgs []*BroadcastFeedMessage) error
}

// StopWaiter runs threads until its context ends.
type StopWaiter struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start derives the threads' context from ctx.
func (s *StopWaiter) Start(ctx context.Context) {
	s.ctx, s.cancel = context.WithCancel(ctx)
}

// LaunchThread runs fn on its own goroutine with the waiter's context.
func (s *StopWaiter) LaunchThread(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

// StopAndWait cancels the threads and waits for them.
func (s *StopWaiter) StopAndWait() {
	s.cancel()
	s.wg.Wait()
}

// Router collects what the feed clients receive.
type Router struct {
	StopWaiter
	messageChan                 chan BroadcastFeedMessage
	confirmedSequenceNumberChan chan MessageIndex

	forwardTxStreamer       TransactionStreamerInterface
	forwardConfirmationChan chan MessageIndex
}

// AddBroadcastMessages queues feed messages for the router thread.
func (r *Router) AddBroadcastMessages(feedMessages []*BroadcastFeedMessage) error {
	for _, m := range feedMessages {
		r.messageChan <- *m
	}
	return nil
}

// Feed is one sequencer feed connection.
type Feed interface {
	Next(ctx context.Context) (msg *BroadcastFeedMessage, confirmed MessageIndex, err error)
}

// BroadcastClient reads one feed into a router.
type BroadcastClient struct {
	StopWaiter
	feed       Feed
	txStreamer TransactionStreamerInterface
	confirmed  chan<- MessageIndex
}

// Start reads the feed until ctx ends.
func (c *BroadcastClient) Start(ctx context.Context) {
	c.StopWaiter.Start(ctx)
	c.LaunchThread(func(ctx context.Context) {
		for {
			msg, confirmed, err := c.feed.Next(ctx)
			if err != nil {
				return
			}
			if msg != nil {
				if err := c.txStreamer.AddBroadcastMessages([]*BroadcastFeedMessage{msg}); err != nil {
					log.Printf("error adding message from feed: %v", err)
				}
			}
			if confirmed != 0 {
				select {
				case c.confirmed <- confirmed:
				case <-ctx.Done():
					return
				}
			}
		}
	})
}

// Config lists the feeds.
type Config struct {
	Feeds          []Feed
	SecondaryFeeds []Feed
}

const (
	routerQueueSize     = 1024
	maxFeedInactiveTime = 5 * time.Second
)

// BroadcastClients routes the primary and secondary feeds to one streamer.
type BroadcastClients struct {
	primaryClients        []*BroadcastClient
	secondaryClients      []*BroadcastClient
	numOfStartedSecondary int

	primaryRouter   *Router
	secondaryRouter *Router
}

// NewBroadcastClients builds the routers and a client per feed.
func NewBroadcastClients(config Config, txStreamer TransactionStreamerInterface, confirmedSequenceNumberListener chan MessageIndex) *BroadcastClients {
	if len(config.Feeds) == 0 && len(config.SecondaryFeeds) == 0 {
		return nil
	}
	newRouter := func() *Router {
		return &Router{
			messageChan:                 make(chan BroadcastFeedMessage, routerQueueSize),
			confirmedSequenceNumberChan: make(chan MessageIndex, routerQueueSize),
			forwardTxStreamer:           txStreamer,
			forwardConfirmationChan:     confirmedSequenceNumberListener,
		}
	}
	bcs := &BroadcastClients{primaryRouter: newRouter(), secondaryRouter: newRouter()}
	makeFeeds := func(feeds []Feed, r *Router) []*BroadcastClient {
		var out []*BroadcastClient
		for _, f := range feeds {
			out = append(out, &BroadcastClient{feed: f, txStreamer: r, confirmed: r.confirmedSequenceNumberChan})
		}
		return out
	}
	bcs.primaryClients = makeFeeds(config.Feeds, bcs.primaryRouter)
	bcs.secondaryClients = makeFeeds(config.SecondaryFeeds, bcs.secondaryRouter)
	if len(bcs.primaryClients) == 0 {
		bcs.primaryClients = bcs.secondaryClients[:1]
		bcs.secondaryClients = bcs.secondaryClients[1:]
	}
	return bcs
}

// Start starts the primary feeds and the routing thread.
func (bcs *BroadcastClients) Start(ctx context.Context) {
	bcs.primaryRouter.StopWaiter.Start(ctx)
	bcs.secondaryRouter.StopWaiter.Start(ctx)
	for _, c := range bcs.primaryClients {
		c.Start(ctx)
	}
	var lastConfirmed MessageIndex
	bcs.primaryRouter.LaunchThread(func(ctx context.Context) {
		startSecondaryFeedTimer := time.NewTicker(maxFeedInactiveTime)
		defer startSecondaryFeedTimer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-bcs.primaryRouter.messageChan:
				startSecondaryFeedTimer.Reset(maxFeedInactiveTime)
				if err := bcs.primaryRouter.forwardTxStreamer.AddBroadcastMessages([]*BroadcastFeedMessage{&msg}); err != nil {
					log.Printf("error routing message from primary feed: %v", err)
				}
			case cs := <-bcs.primaryRouter.confirmedSequenceNumberChan:
				startSecondaryFeedTimer.Reset(maxFeedInactiveTime)
				if cs == lastConfirmed {
					continue
				}
				lastConfirmed = cs
				if bcs.primaryRouter.forwardConfirmationChan != nil {
					bcs.primaryRouter.forwardConfirmationChan <- cs
				}
			case msg := <-bcs.secondaryRouter.messageChan:
				startSecondaryFeedTimer.Reset(maxFeedInactiveTime)
				if err := bcs.secondaryRouter.forwardTxStreamer.AddBroadcastMessages([]*BroadcastFeedMessage{&msg}); err != nil {
					log.Printf("error routing message from secondary feed: %v", err)
				}
			case cs := <-bcs.secondaryRouter.confirmedSequenceNumberChan:
				startSecondaryFeedTimer.Reset(maxFeedInactiveTime)
				if cs == lastConfirmed {
					continue
				}
				lastConfirmed = cs
				if bcs.secondaryRouter.forwardConfirmationChan != nil {
					bcs.secondaryRouter.forwardConfirmationChan <- cs
				}
			case <-startSecondaryFeedTimer.C:
				bcs.startSecondaryFeed(ctx)
			}
		}
	})
}

func (bcs *BroadcastClients) startSecondaryFeed(ctx context.Context) {
	if bcs.numOfStartedSecondary < len(bcs.secondaryClients) {
		c := bcs.secondaryClients[bcs.numOfStartedSecondary]
		bcs.numOfStartedSecondary++
		c.Start(ctx)
	}
}

// StopAndWait stops the feed clients.
func (bcs *BroadcastClients) StopAndWait() {
	for _, c := range bcs.primaryClients {
		c.StopAndWait()
	}
	for i := 0; i < bcs.numOfStartedSecondary; i++ {
		bcs.secondaryClients[i].StopAndWait()
	}
}

// Node is a full node that follows the feed without relaying it.
type Node struct {
	clients *BroadcastClients
}

// CreateNode wires the feed to the node's transaction streamer; only a
// relay listens for confirmations.
func CreateNode(ctx context.Context, config Config, txStreamer TransactionStreamerInterface) *Node {
	clients := NewBroadcastClients(config, txStreamer, nil)
	if clients != nil {
		clients.Start(ctx)
	}
	return &Node{clients: clients}
}

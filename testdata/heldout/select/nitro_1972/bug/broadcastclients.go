// Package bug is a held-out kernel (issue 14): Arbitrum Nitro's feed
// router forwards each confirmed sequence number from its select loop to
// a listener channel that a node without a relay leaves nil, so the first
// confirmation wedges the router for good: it stops routing feed messages
// and never sees its context end.
//
// Upstream: OffchainLabs/nitro#1972 ("Handle nil channel case inside router model")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper selclose to tune the analyzers; not a blind measure)
//
// Bug: NewBroadcastClients builds a primary and a secondary Router, each
// with a buffered message channel and a buffered confirmed-sequence-number
// channel that its feed clients write to, and stores the caller's
// confirmedSequenceNumberListener as the routers' forwardConfirmationChan.
// Start launches one thread on the primary router's StopWaiter that
// selects over ctx.Done(), both routers' message and confirmation
// channels and the feed timers; a confirmation is forwarded with a plain
// send on forwardConfirmationChan. The node passes nil for the listener
// (only the relay consumes confirmations), and a send on a nil channel
// blocks for ever. The PR: "Writing to a nil channel in Go results in a
// permanent block ... This PR handles this case." The feed client's
// websocket reader is reduced to a Feed interface and the StopWaiter to a
// context plus WaitGroup.
//
// Fix: the router forwards a confirmation only when
// forwardConfirmationChan is not nil.
package bug

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
				bcs.primaryRouter.forwardConfirmationChan <- cs // heldout:site
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
				bcs.secondaryRouter.forwardConfirmationChan <- cs // heldout:site
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
	clients := NewBroadcastClients(config, txStreamer, nil) // heldout:site
	if clients != nil {
		clients.Start(ctx)
	}
	return &Node{clients: clients}
}

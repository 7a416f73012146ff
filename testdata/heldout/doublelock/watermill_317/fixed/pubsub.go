// Package fixed is the fixed version of doublelock/watermill_317: the
// early return of Subscribe unlocks closedLock.
package fixed

import (
	"context"
	"errors"
	"sync"
)

// Message is one published message.
type Message struct {
	UUID    string
	Payload []byte
}

type subscriber struct {
	ctx           context.Context
	outputChannel chan *Message
	closing       chan struct{}
	closeOnce     sync.Once
}

func (s *subscriber) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		close(s.outputChannel)
	})
}

// GoChannel is an in-process pub/sub.
type GoChannel struct {
	outputBuffer int

	subscribersWg          sync.WaitGroup
	subscribers            map[string][]*subscriber
	subscribersLock        sync.RWMutex
	subscribersByTopicLock sync.Map // topic -> *sync.Mutex

	closed     bool
	closedLock sync.Mutex
	closing    chan struct{}
}

// NewGoChannel returns an open pub/sub.
func NewGoChannel(outputBuffer int) *GoChannel {
	return &GoChannel{
		outputBuffer: outputBuffer,
		subscribers:  make(map[string][]*subscriber),
		closing:      make(chan struct{}),
	}
}

// Subscribe returns a channel of the topic's messages.
func (g *GoChannel) Subscribe(ctx context.Context, topic string) (<-chan *Message, error) {
	g.closedLock.Lock()

	if g.closed {
		g.closedLock.Unlock()
		return nil, errors.New("Pub/Sub closed")
	}

	g.subscribersWg.Add(1)
	g.closedLock.Unlock()

	g.subscribersLock.Lock()
	subLock, _ := g.subscribersByTopicLock.LoadOrStore(topic, &sync.Mutex{})
	subLock.(*sync.Mutex).Lock()

	s := &subscriber{
		ctx:           ctx,
		outputChannel: make(chan *Message, g.outputBuffer),
		closing:       make(chan struct{}),
	}

	go func(s *subscriber, g *GoChannel) {
		select {
		case <-ctx.Done():
		case <-g.closing:
		}
		s.Close()

		g.subscribersLock.Lock()
		defer g.subscribersLock.Unlock()

		subLock, _ := g.subscribersByTopicLock.Load(topic)
		subLock.(*sync.Mutex).Lock()
		defer subLock.(*sync.Mutex).Unlock()

		g.removeSubscriber(topic, s)
		g.subscribersWg.Done()
	}(s, g)

	g.subscribers[topic] = append(g.subscribers[topic], s)

	subLock.(*sync.Mutex).Unlock()
	g.subscribersLock.Unlock()

	return s.outputChannel, nil
}

func (g *GoChannel) removeSubscriber(topic string, toRemove *subscriber) {
	subs := g.subscribers[topic]
	for i, s := range subs {
		if s == toRemove {
			g.subscribers[topic] = append(subs[:i], subs[i+1:]...)
			return
		}
	}
}

// Close closes the pub/sub and waits for its subscribers to go.
func (g *GoChannel) Close() error {
	g.closedLock.Lock()
	defer g.closedLock.Unlock()

	if g.closed {
		return nil
	}
	g.closed = true
	close(g.closing)

	g.subscribersWg.Wait()
	return nil
}

// subscribeAfterClose is the test.
func subscribeAfterClose() {
	ps := NewGoChannel(0)
	ps.Close()
	ps.Subscribe(context.Background(), "example.topic")
	ps.Subscribe(context.Background(), "example.topic")
}

// Package bug is a held-out kernel (issue 14): oasis-core's pub/sub
// Broker, whose Broadcast was a plain send to the broker's worker. A
// service broadcasts its new state while holding its own mutex; at the
// same time a new subscriber makes the worker run the on-subscribe hook,
// which takes that mutex to publish the current state to the newcomer.
// The worker waits for the mutex inside the hook, the service waits for
// the worker to take its broadcast, and the subscriber waits for the
// worker's answer.
//
// Upstream: oasisprotocol/oasis-core#829 ("go/common/pubsub: Use a buffered broadcast channel")
// Round: 15
//
// Bug: the PR: "Broadcasting from in a critical section, while an
// on-subscription hook is in-flight, and also holding the critical
// section can deadlock otherwise." Broker, cmdCtx, Subscribe, Broadcast,
// the worker's select and NewBrokerEx follow go/common/pubsub/pubsub.go;
// the eapache infinite channels are our reduction (plain channels in the
// bug, a small unbounded queue in the fix), and the node registry that
// broadcasts under its lock is ours.
//
// Fix: the broadcast channel is unbounded, so Broadcast never waits for
// the worker.
package bug

import "sync"

// queue is an unbounded FIFO standing in for an infinite channel.
type queue struct {
	mu     sync.Mutex
	items  []interface{}
	notify chan struct{}
}

func newQueue() *queue { return &queue{notify: make(chan struct{}, 1)} }

// In appends v without blocking.
func (q *queue) In(v interface{}) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// Drain takes everything queued so far.
func (q *queue) Drain() []interface{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

type cmdCtx struct {
	ch          *queue
	errCh       chan error
	isSubscribe bool
}

// Subscription is a Broker subscription.
type Subscription struct {
	b  *Broker
	ch *queue
}

// OnSubscribeHook is called by the worker for each new subscriber.
type OnSubscribeHook func(*queue)

// Broker is a pub/sub broker.
type Broker struct {
	subscribers     map[*queue]bool
	cmdCh           chan *cmdCtx
	broadcastCh     chan interface{}
	onSubscribeHook OnSubscribeHook
}

// Subscribe subscribes to the Broker's broadcasts.
func (b *Broker) Subscribe() *Subscription {
	ctx := &cmdCtx{ch: newQueue(), errCh: make(chan error), isSubscribe: true}
	b.cmdCh <- ctx
	<-ctx.errCh // heldout:site
	return &Subscription{b: b, ch: ctx.ch}
}

// Broadcast queues up a new value to be broadcasted.
func (b *Broker) Broadcast(v interface{}) {
	b.broadcastCh <- v // heldout:site
}

func (b *Broker) worker() {
	for {
		select {
		case ctx := <-b.cmdCh:
			if ctx.isSubscribe {
				if b.onSubscribeHook != nil {
					b.onSubscribeHook(ctx.ch)
				}
				b.subscribers[ctx.ch] = true
			} else {
				delete(b.subscribers, ctx.ch)
			}
			close(ctx.errCh)
		case v := <-b.broadcastCh:
			for ch := range b.subscribers {
				ch.In(v)
			}
		}
	}
}

// NewBrokerEx creates a broker with an on-subscribe hook.
func NewBrokerEx(onSubscribeHook OnSubscribeHook) *Broker {
	b := &Broker{
		subscribers:     make(map[*queue]bool),
		cmdCh:           make(chan *cmdCtx),
		broadcastCh:     make(chan interface{}),
		onSubscribeHook: onSubscribeHook,
	}
	go b.worker()
	return b
}

// registry keeps the node list and notifies subscribers of changes.
type registry struct {
	mu       sync.Mutex
	nodes    []string
	notifier *Broker
}

func newRegistry() *registry {
	r := &registry{}
	r.notifier = NewBrokerEx(func(ch *queue) {
		r.mu.Lock() // heldout:site
		defer r.mu.Unlock()
		for _, n := range r.nodes {
			ch.In(n)
		}
	})
	return r
}

// RegisterNode adds a node and tells the subscribers.
func (r *registry) RegisterNode(n string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nodes = append(r.nodes, n)
	r.notifier.Broadcast(n) // heldout:site
}

// WatchNodes subscribes to node registrations.
func (r *registry) WatchNodes() *Subscription {
	return r.notifier.Subscribe()
}

// Run registers nodes while a watcher subscribes.
func Run() {
	r := newRegistry()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			r.RegisterNode("node")
		}
	}()
	go func() {
		defer wg.Done()
		r.WatchNodes()
	}()
	wg.Wait()
}

// Package fixed is the fixed version of mixed/oasiscore_829: the
// broadcast channel is an unbounded queue, so Broadcast never waits for
// the worker, even under the registry's lock.
package fixed

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
	broadcastCh     *queue
	onSubscribeHook OnSubscribeHook
}

// Subscribe subscribes to the Broker's broadcasts.
func (b *Broker) Subscribe() *Subscription {
	ctx := &cmdCtx{ch: newQueue(), errCh: make(chan error), isSubscribe: true}
	b.cmdCh <- ctx
	<-ctx.errCh
	return &Subscription{b: b, ch: ctx.ch}
}

// Broadcast queues up a new value to be broadcasted.
func (b *Broker) Broadcast(v interface{}) {
	b.broadcastCh.In(v)
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
		case <-b.broadcastCh.notify:
			for _, v := range b.broadcastCh.Drain() {
				for ch := range b.subscribers {
					ch.In(v)
				}
			}
		}
	}
}

// NewBrokerEx creates a broker with an on-subscribe hook.
func NewBrokerEx(onSubscribeHook OnSubscribeHook) *Broker {
	b := &Broker{
		subscribers:     make(map[*queue]bool),
		cmdCh:           make(chan *cmdCtx),
		broadcastCh:     newQueue(),
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
		r.mu.Lock()
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
	r.notifier.Broadcast(n)
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

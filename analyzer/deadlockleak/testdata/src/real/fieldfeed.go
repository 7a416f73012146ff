package real

import "context"

// openshift-kni/oran-o2ims#455: the notifier's Run selects on its
// notification channel (room for 10) and the context, and returns on
// Done after shutting its workers down; Notify sends plainly on the
// field and is called for every event the database listener reads. Once
// Run has returned, the listener's eleventh Notify blocks for ever. Fix:
// Notify takes a context and sends in a select on its Done.
type dbEvent struct{ id int }

type dbListener interface {
	Wait(ctx context.Context) (*dbEvent, error)
}

type changeNotifier struct {
	events  chan *dbEvent
	workers map[int]func()
	handle  func(*dbEvent)
}

func newChangeNotifier(h func(*dbEvent)) *changeNotifier {
	return &changeNotifier{events: make(chan *dbEvent, 10), workers: map[int]func(){}, handle: h}
}

func (n *changeNotifier) Run(ctx context.Context) error {
	for {
		select {
		case e := <-n.events:
			n.handle(e)
		case <-ctx.Done():
			for _, stop := range n.workers {
				stop()
			}
			return nil
		}
	}
}

func (n *changeNotifier) Notify(e *dbEvent) {
	n.events <- e // want `this plain send made on every round of the loop in listenChanges \(line \d+\) feeds field events, whose only receiver, the select in Run`
}

func listenChanges(ctx context.Context, l dbListener, n *changeNotifier) {
	for {
		e, err := l.Wait(ctx)
		if err != nil {
			return
		}
		n.Notify(e)
	}
}

// The fix: the send watches the caller's context.
type changeNotifierFixed struct {
	events chan *dbEvent
	handle func(*dbEvent)
}

func (n *changeNotifierFixed) Run(ctx context.Context) error {
	for {
		select {
		case e := <-n.events:
			n.handle(e)
		case <-ctx.Done():
			return nil
		}
	}
}

func (n *changeNotifierFixed) Notify(ctx context.Context, e *dbEvent) {
	select {
	case n.events <- e:
	case <-ctx.Done():
	}
}

func listenChangesFixed(ctx context.Context, l dbListener) {
	n := &changeNotifierFixed{events: make(chan *dbEvent, 10)}
	go n.Run(ctx)
	for {
		e, err := l.Wait(ctx)
		if err != nil {
			return
		}
		n.Notify(ctx, e)
	}
}

// A variant: a helper function enqueues for every value a feeder ranges
// over, and the consumer stops when Close closes a field.
type itemQueue struct {
	items   chan string
	closing chan struct{}
}

func pushItem(q *itemQueue, s string) {
	q.items <- s // want `this plain send made on every round of the loop in feed \(line \d+\) feeds field items`
}

func (q *itemQueue) feed(in <-chan string) {
	for s := range in {
		pushItem(q, s)
	}
}

func (q *itemQueue) consume(sink func(string)) {
	for {
		select {
		case s := <-q.items:
			sink(s)
		case <-q.closing:
			return
		}
	}
}

func (q *itemQueue) Close() { close(q.closing) }

func startItemQueue(in <-chan string, sink func(string)) *itemQueue {
	q := &itemQueue{items: make(chan string, 32), closing: make(chan struct{})}
	go q.feed(in)
	go q.consume(sink)
	return q
}

// A variant: the send goes through a getter, from a method a polling
// goroutine calls each round; the consumer stops on a context kept in a
// field.
type pollBus struct {
	ctx context.Context
	ev  chan int
}

func (b *pollBus) events() chan int { return b.ev }

func (b *pollBus) publish(v int) { b.events() <- v } // want `this plain send made on every round of the loop in watch`

func (b *pollBus) watch(poll func() (int, bool)) {
	for {
		v, ok := poll()
		if !ok {
			return
		}
		b.publish(v)
	}
}

func (b *pollBus) drain(sink func(int)) {
	for {
		select {
		case v := <-b.ev:
			sink(v)
		case <-b.ctx.Done():
			return
		}
	}
}

func newPollBus(ctx context.Context, poll func() (int, bool), sink func(int)) {
	b := &pollBus{ctx: ctx, ev: make(chan int, 4)}
	go b.watch(poll)
	go b.drain(sink)
}

// Look-alike: a constructor called in a loop makes a new instance and
// sends once into its room; the loop never feeds one instance twice.
type tokenGate struct {
	free, busy chan struct{}
}

func newTokenGate() *tokenGate {
	g := &tokenGate{free: make(chan struct{}, 1), busy: make(chan struct{}, 1)}
	g.free <- struct{}{}
	return g
}

func (g *tokenGate) acquire() {
	select {
	case <-g.free:
	case <-g.busy:
	}
}

func gates(more func() bool) []*tokenGate {
	var out []*tokenGate
	for more() {
		out = append(out, newTokenGate())
	}
	return out
}

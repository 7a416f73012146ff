package unclosedrange

import "sync"

// Event is a notification.
type Event struct{ Payload string }

// Subscription is handed to listeners; the package has one implementation.
type Subscription interface {
	Events() <-chan Event
	Close()
}

type subscription struct {
	events chan Event
	done   chan struct{}
}

func newSubscription() *subscription {
	return &subscription{events: make(chan Event), done: make(chan struct{})}
}

func (s *subscription) Events() <-chan Event { return s.events }

// Close stops delivery but never closes events (chainlink#9864's shape).
func (s *subscription) Close() { close(s.done) }

func (s *subscription) deliver(e Event) {
	select {
	case s.events <- e:
	case <-s.done:
	}
}

// Broker hands out subscriptions.
type Broker struct {
	mu   sync.Mutex
	subs []*subscription
}

// Subscribe returns a new subscription as the interface.
func (b *Broker) Subscribe() Subscription {
	s := newSubscription()
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	return s
}

// Publish delivers e to every subscription.
func (b *Broker) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		s.deliver(e)
	}
}

// Listener ranges over a subscription through the interface; Close waits
// for the loop on a done channel the loop closes when it ends.
type Listener struct {
	sub    Subscription
	handle func(Event)
	chDone chan struct{}
}

func NewListener(b *Broker, handle func(Event)) *Listener {
	return &Listener{sub: b.Subscribe(), handle: handle, chDone: make(chan struct{})}
}

func (l *Listener) Start() {
	go func() {
		defer close(l.chDone)
		for e := range l.sub.Events() {
			l.handle(e)
		}
	}()
}

func (l *Listener) Close() {
	l.sub.Close()
	<-l.chDone // want `nothing will close field chDone of Listener: its only close is deferred in Start\$1 \(line \d+\), which never returns \(its range over field events of subscription \(line \d+\) ends only when the channel is closed.*so this receive blocks forever`
}

// Pool's workers range over a job queue no code closes; Stop waits for
// them on the WaitGroup they are counted on.
type Pool struct {
	jobs chan func()
	wg   sync.WaitGroup
}

func NewPool(n int) *Pool {
	p := &Pool{jobs: make(chan func(), n)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for job := range p.jobs { // want `nothing closes field jobs of Pool: this range over it never ends`
		job()
	}
}

// Submit queues job.
func (p *Pool) Submit(job func()) { p.jobs <- job }

// Stop waits for the workers, which never end.
func (p *Pool) Stop() {
	p.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but worker never returns \(its range over field jobs of Pool \(line \d+\) ends only when the channel is closed`
}

// Feed keeps its channel in a field reached through a concrete accessor;
// Drain copies the channel to a local, a goroutine captures it, and Drain
// waits for that goroutine on a local done channel.
type Feed struct {
	ch chan int
}

func NewFeed() *Feed { return &Feed{ch: make(chan int, 8)} }

func (f *Feed) C() <-chan int { return f.ch }

func (f *Feed) Push(v int) { f.ch <- v }

func Drain(f *Feed, sum *int) {
	ch := f.C()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range ch {
			*sum += v
		}
	}()
	<-done // want `nothing will close this channel: its only close is deferred in Drain\$1 .*range over field ch of Feed`
}

// DrainParam hands the channel to the goroutine as an argument and waits
// on a local WaitGroup.
func DrainParam(f *Feed, out func(int)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go consume(f.ch, out, &wg)
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but consume never returns \(its range over field ch of Feed`
}

func consume(ch <-chan int, out func(int), wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range ch {
		out(v)
	}
}

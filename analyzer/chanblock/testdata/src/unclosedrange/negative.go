package unclosedrange

import (
	"sync"
	"time"
)

// The fix: Close closes the events channel once delivery has stopped.
type fixedSub struct {
	mu     sync.Mutex
	events chan Event
	closed bool
}

func (s *fixedSub) Events() <-chan Event { return s.events }

func (s *fixedSub) deliver(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.events <- e
	}
}

func (s *fixedSub) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	close(s.events)
}

type FixedListener struct {
	sub    *fixedSub
	chDone chan struct{}
}

func NewFixedListener() *FixedListener {
	return &FixedListener{sub: &fixedSub{events: make(chan Event)}, chDone: make(chan struct{})}
}

func (l *FixedListener) Start(handle func(Event)) {
	go func() {
		defer close(l.chDone)
		for e := range l.sub.Events() {
			handle(e)
		}
	}()
}

func (l *FixedListener) Close() {
	l.sub.Close()
	<-l.chDone
}

// A worker pool whose Stop closes the queue before it waits.
type ClosingPool struct {
	jobs chan func()
	wg   sync.WaitGroup
}

func NewClosingPool(n int) *ClosingPool {
	p := &ClosingPool{jobs: make(chan func())}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *ClosingPool) worker() {
	defer p.wg.Done()
	for job := range p.jobs {
		job()
	}
}

func (p *ClosingPool) Submit(job func()) { p.jobs <- job }

func (p *ClosingPool) Stop() {
	close(p.jobs)
	p.wg.Wait()
}

// The channel is handed out bidirectional: a caller may close it.
type OpenFeed struct {
	ch chan int
}

func NewOpenFeed() *OpenFeed { return &OpenFeed{ch: make(chan int)} }

func (f *OpenFeed) C() chan int { return f.ch }

func (f *OpenFeed) Wait(out func(int)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range f.ch {
			out(v)
		}
	}()
	wg.Wait()
}

// The channel comes from the caller, who may close it.
type Borrowed struct {
	in   chan int
	done chan struct{}
}

func NewBorrowed(in chan int) *Borrowed {
	return &Borrowed{in: in, done: make(chan struct{})}
}

func (b *Borrowed) Run(out func(int)) {
	go func() {
		defer close(b.done)
		for v := range b.in {
			out(v)
		}
	}()
	<-b.done
}

// The loop has another way out: a stop channel in a select.
type Selecting struct {
	events chan int
	quit   chan struct{}
	done   chan struct{}
}

func NewSelecting() *Selecting {
	return &Selecting{events: make(chan int), quit: make(chan struct{}), done: make(chan struct{})}
}

func (s *Selecting) Start(out func(int)) {
	go func() {
		defer close(s.done)
		for {
			select {
			case v := <-s.events:
				out(v)
			case <-s.quit:
				return
			}
		}
	}()
}

func (s *Selecting) Send(v int) { s.events <- v }

func (s *Selecting) Stop() {
	close(s.quit)
	<-s.done
}

// The range is left by a break or a return on a sentinel value.
type Sentinel struct {
	events chan int
	wg     sync.WaitGroup
}

func NewSentinel() *Sentinel {
	s := &Sentinel{events: make(chan int)}
	s.wg.Add(2)
	go s.breaks()
	go s.returns()
	return s
}

func (s *Sentinel) breaks() {
	defer s.wg.Done()
	for v := range s.events {
		if v < 0 {
			break
		}
	}
}

func (s *Sentinel) returns() {
	defer s.wg.Done()
	for v := range s.events {
		if v < 0 {
			return
		}
	}
}

func (s *Sentinel) Send(v int) { s.events <- v }

func (s *Sentinel) Stop() {
	s.events <- -1
	s.events <- -1
	s.wg.Wait()
}

// An early return before the range: the goroutine can end without it.
type Early struct {
	events  chan int
	enabled bool
	done    chan struct{}
}

func NewEarly(enabled bool) *Early {
	return &Early{events: make(chan int), enabled: enabled, done: make(chan struct{})}
}

func (e *Early) Start(out func(int)) {
	go func() {
		defer close(e.done)
		if !e.enabled {
			return
		}
		for v := range e.events {
			out(v)
		}
	}()
}

func (e *Early) Send(v int) { e.events <- v }

func (e *Early) Wait() { <-e.done }

// A worker that serves for the program's life: nobody waits for it.
type Logger struct {
	lines chan string
}

func NewLogger(write func(string)) *Logger {
	l := &Logger{lines: make(chan string, 64)}
	go func() {
		for s := range l.lines {
			write(s)
		}
	}()
	return l
}

func (l *Logger) Print(s string) { l.lines <- s }

// The waiter gives up after a timeout: the wait is not reported (the
// goroutine's leak is, by the rule for ranges over a field of a stoppable
// type that nothing closes).
type Timed struct {
	events chan int
	done   chan struct{}
}

func NewTimed() *Timed { return &Timed{events: make(chan int), done: make(chan struct{})} }

func (t *Timed) Start(out func(int)) {
	go func() {
		defer close(t.done)
		for v := range t.events { // want `nothing closes field events of Timed: this range over it never ends`
			out(v)
		}
	}()
}

func (t *Timed) Send(v int) { t.events <- v }

func (t *Timed) Close() bool {
	select {
	case <-t.done:
		return true
	case <-time.After(time.Second):
		return false
	}
}

// Exported field of an exported type: another package may close it.
type Public struct {
	Events chan int
	done   chan struct{}
}

func NewPublic() *Public { return &Public{Events: make(chan int), done: make(chan struct{})} }

func (p *Public) Run(out func(int)) {
	go func() {
		defer close(p.done)
		for v := range p.Events {
			out(v)
		}
	}()
	<-p.done
}

// Shadowing: the goroutine ranges over a local channel of the field's
// name, which its producer closes; the field itself is never closed.
type Shadow struct {
	events chan int
	done   chan struct{}
}

func NewShadow() *Shadow { return &Shadow{events: make(chan int, 1), done: make(chan struct{})} }

func (s *Shadow) Poke() {
	select {
	case s.events <- 1:
	default:
	}
}

func (s *Shadow) Poked() bool {
	select {
	case <-s.events:
		return true
	default:
		return false
	}
}

func (s *Shadow) Run(vals []int, out func(int)) {
	events := make(chan int)
	go func() {
		defer close(events)
		for _, v := range vals {
			events <- v
		}
	}()
	go func() {
		defer close(s.done)
		for v := range events {
			out(v)
		}
	}()
	<-s.done
}

// An interface with two implementations in the package, one of which
// hands out a channel its Close closes.
type Source interface {
	C() <-chan int
}

type quietSource struct{ ch chan int }

func (q *quietSource) C() <-chan int { return q.ch }

type closingSource struct{ ch chan int }

func (c *closingSource) C() <-chan int { return c.ch }

func (c *closingSource) Close() { close(c.ch) }

func Sources() []Source {
	return []Source{&quietSource{ch: make(chan int)}, &closingSource{ch: make(chan int)}}
}

func WaitSource(src Source, out func(int)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range src.C() {
			out(v)
		}
	}()
	<-done
}

// The channel is also kept in a local the maker closes.
type Kept struct {
	ch   chan int
	done chan struct{}
}

func NewKept(vals []int) *Kept {
	ch := make(chan int)
	k := &Kept{ch: ch, done: make(chan struct{})}
	go func() {
		for _, v := range vals {
			ch <- v
		}
		close(ch)
	}()
	return k
}

func (k *Kept) Collect(out func(int)) {
	go func() {
		defer close(k.done)
		for v := range k.ch {
			out(v)
		}
	}()
	<-k.done
}

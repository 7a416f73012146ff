package real

import (
	"context"
	"sync"
)

// etcd-io/etcd#18739: recvLoop turns each watchReq read off the stream into
// a control response and queues it with a plain send on ctrlStream, with
// room for 16, which only sendLoop reads; sendLoop returns when closec is
// closed. After the stream's context ends, recvLoop goes on reading the
// requests already received and blocks forever once the buffer is full.
// Fix: recvLoop's sends also select on closec.
type watchReq struct{ id int }

type streamer interface {
	Recv() (*watchReq, error)
	Send(int) error
}

type watchStream struct {
	stream streamer
	ctrl   chan int
	closec chan struct{}
}

func (w *watchStream) recvLoop() error {
	for {
		req, err := w.stream.Recv()
		if err != nil {
			return err
		}
		w.ctrl <- req.id // want `this plain send in a loop feeds field ctrl, whose only receiver, the select in sendLoop \(line \d+\), returns when a stop signal fires`
	}
}

func (w *watchStream) sendLoop() {
	for {
		select {
		case id := <-w.ctrl:
			if err := w.stream.Send(id); err != nil {
				return
			}
		case <-w.closec:
			return
		}
	}
}

func serveWatch(s streamer, ctx context.Context) error {
	w := &watchStream{stream: s, ctrl: make(chan int, 16), closec: make(chan struct{})}
	go w.sendLoop()
	errc := make(chan error, 1)
	go func() { errc <- w.recvLoop() }()
	select {
	case err := <-errc:
		close(w.closec)
		return err
	case <-ctx.Done():
		close(w.closec)
		return ctx.Err()
	}
}

// The fix: the producer watches the consumer's stop signal.
type watchStreamFixed struct {
	stream streamer
	ctrl   chan int
	closec chan struct{}
}

func (w *watchStreamFixed) recvLoop() error {
	for {
		req, err := w.stream.Recv()
		if err != nil {
			return err
		}
		select {
		case w.ctrl <- req.id:
		case <-w.closec:
			return nil
		}
	}
}

func (w *watchStreamFixed) sendLoop() {
	for {
		select {
		case id := <-w.ctrl:
			if err := w.stream.Send(id); err != nil {
				return
			}
		case <-w.closec:
			return
		}
	}
}

func newWatchStreamFixed(s streamer) *watchStreamFixed {
	return &watchStreamFixed{stream: s, ctrl: make(chan int, 16), closec: make(chan struct{})}
}

// A variant: a connection's reader goroutine forwards every line to the
// lineSession's dispatcher, which stops on its context.
type lineSession struct {
	ctx   context.Context
	lines chan string
	read  func() (string, bool)
}

func newLineSession(ctx context.Context, read func() (string, bool)) *lineSession {
	return &lineSession{ctx: ctx, lines: make(chan string), read: read}
}

func (s *lineSession) reader() {
	for l, ok := s.read(); ok; l, ok = s.read() {
		s.lines <- l // want `this plain send in a loop feeds field lines, whose only receiver, the select in dispatch`
	}
}

func (s *lineSession) dispatch(handle func(string)) {
	for {
		select {
		case l := <-s.lines:
			handle(l)
		case <-s.ctx.Done():
			return
		}
	}
}

// Another variant: a ticker-driven sampler feeding a recorder that a Stop
// method shuts down.
type recorder struct {
	samples chan float64
	quit    chan bool
	mu      sync.Mutex
	total   float64
}

func newRecorder() *recorder {
	return &recorder{samples: make(chan float64, 64), quit: make(chan bool)}
}

func (r *recorder) sample(next func() float64) {
	for {
		r.samples <- next() // want `this plain send in a loop feeds field samples`
	}
}

func (r *recorder) record() {
	for {
		select {
		case v := <-r.samples:
			r.mu.Lock()
			r.total += v
			r.mu.Unlock()
		case <-r.quit:
			return
		}
	}
}

func (r *recorder) Stop() { close(r.quit) }

// Look-alikes that stay silent: the consumer's stop channel is closed by
// the producer's own goroutine once it has returned, and a consumer that
// ranges over the channel until the producer closes it.
type flushBatcher struct {
	items chan int
	done  chan struct{}
	next  func() (int, bool)
}

func newFlushBatcher(next func() (int, bool)) *flushBatcher {
	return &flushBatcher{items: make(chan int), done: make(chan struct{}), next: next}
}

func (b *flushBatcher) produce() {
	for v, ok := b.next(); ok; v, ok = b.next() {
		b.items <- v
	}
}

func (b *flushBatcher) run(flush func(int)) {
	go func() {
		b.produce()
		close(b.done)
	}()
	for {
		select {
		case v := <-b.items:
			flush(v)
		case <-b.done:
			return
		}
	}
}

type pipe struct {
	vals chan int
	next func() (int, bool)
}

func newPipe(next func() (int, bool)) *pipe { return &pipe{vals: make(chan int), next: next} }

func (p *pipe) produce() {
	defer close(p.vals)
	for v, ok := p.next(); ok; v, ok = p.next() {
		p.vals <- v
	}
}

func (p *pipe) consume(use func(int)) {
	for v := range p.vals {
		use(v)
	}
}

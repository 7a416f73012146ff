package real

import (
	"context"
	"sync"
)

// kubernetes/kubernetes#1321 (pkg/watch Mux): a watcher that stops
// reading its result channel leaves the mux's distribute blocked on a
// plain send to it, with the mux locked. Fix: distribute selects on the
// watcher's stopped channel too. The kernel (ours in its packaging) gives
// each subscription one goroutine that forwards events until its context
// is canceled; the mux keeps sending to every subscription it holds.
// (Per-instance receiver; dispatcher sends without a select.)
type muxWatcher struct {
	result chan int
}

type mux struct {
	mu       sync.Mutex
	watchers []*muxWatcher
}

func (m *mux) Watch(ctx context.Context, handle func(int)) {
	w := &muxWatcher{result: make(chan int)}
	m.mu.Lock()
	m.watchers = append(m.watchers, w)
	m.mu.Unlock()
	go func() {
		for {
			select {
			case ev := <-w.result:
				handle(ev)
			case <-ctx.Done():
				return
			}
		}
	}()
}

func (m *mux) distribute(ev int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.watchers {
		w.result <- ev // want `this send on an unbuffered channel \(field result\) has one receiver per instance, the goroutine Watch starts with it \(line \d+\), whose select \(line \d+\) can take another case and return \(line \d+\): every later send on that instance then blocks forever`
	}
}

// The fix: distribute also gives up when the watcher has stopped.
type muxWatcherFixed struct {
	result  chan int
	stopped <-chan struct{}
}

type muxFixed struct {
	mu       sync.Mutex
	watchers []*muxWatcherFixed
}

func (m *muxFixed) Watch(ctx context.Context, handle func(int)) {
	w := &muxWatcherFixed{result: make(chan int), stopped: ctx.Done()}
	m.mu.Lock()
	m.watchers = append(m.watchers, w)
	m.mu.Unlock()
	go func() {
		for {
			select {
			case ev := <-w.result:
				handle(ev)
			case <-ctx.Done():
				return
			}
		}
	}()
}

func (m *muxFixed) distribute(ev int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.watchers {
		select {
		case w.result <- ev:
		case <-w.stopped:
		}
	}
}

// Look-alike: a subscription whose goroutine never stops reading (it
// ranges until the channel is closed): every send is taken.
type rangeSub struct{ ch chan int }

type rangeBus struct{ subs []*rangeSub }

func (b *rangeBus) Subscribe(handle func(int)) {
	s := &rangeSub{ch: make(chan int)}
	b.subs = append(b.subs, s)
	go func() {
		for v := range s.ch {
			handle(v)
		}
	}()
}

func (b *rangeBus) Publish(v int) {
	for _, s := range b.subs {
		s.ch <- v
	}
}

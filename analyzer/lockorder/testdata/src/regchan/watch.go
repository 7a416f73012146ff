package regchan

import (
	"context"
	"sync"
	"time"
)

// A: watchers kept as map keys; the broadcaster sends to each under the
// lock, a watch that is going away stops receiving and then takes the
// lock to unregister (longhorn-instance-manager #38 shape).

type update struct{ name string }

type manager struct {
	lock     sync.Mutex
	watchers map[chan *update]struct{}
}

func (m *manager) broadcast(name string) {
	m.lock.Lock()
	defer m.lock.Unlock()
	u := &update{name: name}
	for ch := range m.watchers {
		ch <- u // want `sends on unbuffered a key of m.watchers while holding m.lock .*but watch, which receives from it .*first locks m.lock`
	}
}

func (m *manager) watch(ctx context.Context, send func(*update) error) error {
	ch := make(chan *update)
	m.lock.Lock()
	m.watchers[ch] = struct{}{}
	m.lock.Unlock()
	defer func() {
		m.lock.Lock()
		delete(m.watchers, ch)
		m.lock.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case u := <-ch:
			if err := send(u); err != nil {
				return err
			}
		}
	}
}

// A fixed: the send selects on the watcher's stop channel.

type stopManager struct {
	lock     sync.Mutex
	watchers map[chan *update]chan struct{}
}

func (m *stopManager) broadcast(name string) {
	m.lock.Lock()
	defer m.lock.Unlock()
	u := &update{name: name}
	for ch, stop := range m.watchers {
		select {
		case ch <- u:
		case <-stop:
		}
	}
}

func (m *stopManager) watch(ctx context.Context, send func(*update) error) error {
	ch := make(chan *update)
	stop := make(chan struct{})
	m.lock.Lock()
	m.watchers[ch] = stop
	m.lock.Unlock()
	defer func() {
		close(stop)
		m.lock.Lock()
		delete(m.watchers, ch)
		m.lock.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case u := <-ch:
			if err := send(u); err != nil {
				return err
			}
		}
	}
}

// B: pending replies kept as map values by sequence number, looked up
// with comma-ok; the waiter gives up after a timeout and the late reply
// is sent under the lock (NextTrace #60 shape).

type hop struct{ addr string }

type tracer struct {
	mu       sync.Mutex
	inflight map[int]chan hop
	timeout  time.Duration
}

func (t *tracer) handle(seq int, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch, ok := t.inflight[seq]
	if !ok {
		return
	}
	ch <- hop{addr: addr} // want `sends on unbuffered t.inflight\[…\] while holding t.mu .*but probe, which receives from it`
}

func (t *tracer) probe(ctx context.Context, seq int) (hop, bool) {
	t.mu.Lock()
	ch := make(chan hop)
	t.inflight[seq] = ch
	t.mu.Unlock()
	select {
	case <-ctx.Done():
		return hop{}, false
	case h := <-ch:
		return h, true
	case <-time.After(t.timeout):
		return hop{}, false
	}
}

// B fixed: one slot, so a late reply is left in the channel.

type bufTracer struct {
	mu       sync.Mutex
	inflight map[int]chan hop
	timeout  time.Duration
}

func (t *bufTracer) handle(seq int, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch, ok := t.inflight[seq]
	if !ok {
		return
	}
	ch <- hop{addr: addr}
}

func (t *bufTracer) probe(ctx context.Context, seq int) (hop, bool) {
	t.mu.Lock()
	ch := make(chan hop, 1)
	t.inflight[seq] = ch
	t.mu.Unlock()
	select {
	case <-ctx.Done():
		return hop{}, false
	case h := <-ch:
		return h, true
	case <-time.After(t.timeout):
		return hop{}, false
	}
}

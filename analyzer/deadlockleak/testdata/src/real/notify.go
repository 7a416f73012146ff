package real

import (
	"context"
	"sync"
)

// The coalescing notify: a send into a buffered channel, made only after
// a test found room in the buffer (`if len(ch) == 0 { ch <- v }`), cannot
// block when no other sender can fill the buffer between the test and
// the send: one goroutine sends, or a lock held across test and send
// serialises the senders. The loops below stop on ctx.Done() and notify
// watchers whose channels their callers receive from (or not): not a leak.
// On an unbuffered channel the test proves nothing (len is always 0), and
// a send with no test blocks once the caller stops receiving.

type notifyWatcher struct{ notifyCh chan bool }

func newNotifyWatcher() *notifyWatcher { return &notifyWatcher{notifyCh: make(chan bool, 1)} }

func (w *notifyWatcher) notify() {
	if len(w.notifyCh) == 0 {
		w.notifyCh <- true
	}
}

func (w *notifyWatcher) C() <-chan bool { return w.notifyCh }

// One goroutine, the only caller of notify, sends.
func startNotify(ctx context.Context, in <-chan string, watchers []*notifyWatcher) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-in:
				for _, w := range watchers {
					w.notify()
				}
			}
		}
	}()
}

// Two callers of notify, both holding the hub's lock across the call.
type lockedHub struct {
	mu       sync.Mutex
	watchers []*lockedWatcher
}

type lockedWatcher struct{ notifyCh chan bool }

func newLockedWatcher() *lockedWatcher { return &lockedWatcher{notifyCh: make(chan bool, 1)} }

func (w *lockedWatcher) notify() {
	if len(w.notifyCh) < cap(w.notifyCh) {
		w.notifyCh <- true
	}
}

func (w *lockedWatcher) C() <-chan bool { return w.notifyCh }

func (h *lockedHub) start(ctx context.Context, in <-chan string) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-in:
				h.mu.Lock()
				for _, w := range h.watchers {
					w.notify()
				}
				h.mu.Unlock()
			}
		}
	}()
}

func (h *lockedHub) Poke() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range h.watchers {
		w.notify()
	}
}

// The test on an unbuffered channel: len is always 0, the send blocks
// until the caller receives.
type unbufWatcher struct{ notifyCh chan bool }

func newUnbufWatcher() *unbufWatcher { return &unbufWatcher{notifyCh: make(chan bool)} }

func (w *unbufWatcher) notify() {
	if len(w.notifyCh) == 0 {
		w.notifyCh <- true // want `the loop in startSyncNotify\$1 stops when the case at line \d+ fires, but this send on field notifyCh does not watch it; C hands that channel to its caller`
	}
}

func (w *unbufWatcher) C() <-chan bool { return w.notifyCh }

func startSyncNotify(ctx context.Context, in <-chan string, watchers []*unbufWatcher) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-in:
				for _, w := range watchers {
					w.notify()
				}
			}
		}
	}()
}

// A send with no test, in the same loop as a tested one.
type eventWatcher struct {
	notifyCh chan bool
	events   chan string
}

func newEventWatcher() *eventWatcher {
	return &eventWatcher{notifyCh: make(chan bool, 1), events: make(chan string, 1)}
}

func (w *eventWatcher) notify(ev string) {
	if len(w.notifyCh) == 0 {
		w.notifyCh <- true
	}
	w.events <- ev // want `the loop in startEvents\$1 stops when the case at line \d+ fires, but this send on field events does not watch it; Events hands that channel to its caller`
}

func (w *eventWatcher) C() <-chan bool { return w.notifyCh }

func (w *eventWatcher) Events() <-chan string { return w.events }

func startEvents(ctx context.Context, in <-chan string, watchers []*eventWatcher) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-in:
				for _, w := range watchers {
					w.notify(ev)
				}
			}
		}
	}()
}

// Two callers with no lock: both can pass the test before either sends,
// and the second send finds the buffer full.
type racedWatcher struct{ notifyCh chan bool }

func newRacedWatcher() *racedWatcher { return &racedWatcher{notifyCh: make(chan bool, 1)} }

func (w *racedWatcher) notify() {
	if len(w.notifyCh) == 0 {
		w.notifyCh <- true // want `the loop in startRaced\$1 stops when the case at line \d+ fires, but this send on field notifyCh does not watch it; C hands that channel to its caller`
	}
}

func (w *racedWatcher) C() <-chan bool { return w.notifyCh }

func startRaced(ctx context.Context, in <-chan string, watchers []*racedWatcher) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-in:
				for _, w := range watchers {
					w.notify()
				}
			}
		}
	}()
}

func pokeRaced(watchers []*racedWatcher) {
	for _, w := range watchers {
		w.notify()
	}
}

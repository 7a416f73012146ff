package real

import (
	"sync"
	"time"
)

// Timer handles returned as an interface whose Stop the callers call:
// the goroutine waiting on the timer's channel is left behind by every
// Stop before the timer fires.

// cancelable is the part of a timer the callers keep.
type cancelable interface {
	Stop() bool
}

// delayed runs f after d unless the handle is stopped; a package variable
// so that tests can replace it.
var delayed = func(d time.Duration, f func()) cancelable {
	t := time.NewTimer(d)
	go func() {
		<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
		f()
	}()
	return t
}

// debouncer runs a key's action once the key has been quiet for wait.
type debouncer struct {
	mu      sync.Mutex
	wait    time.Duration
	pending map[string]cancelable
}

func (d *debouncer) touch(key string, action func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if h, ok := d.pending[key]; ok {
		h.Stop()
	}
	d.pending[key] = delayed(d.wait, action)
}

// later is the same handle made by a named function; its caller stops
// the result it holds.
func later(d time.Duration, f func()) cancelable {
	t := time.NewTimer(d)
	go func() {
		<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
		f()
	}()
	return t
}

func withDeadline(d time.Duration, work func() error, onTimeout func()) error {
	h := later(d, onTimeout)
	err := work()
	h.Stop()
	return err
}

// retryTimer's handles are kept in a slice field and stopped together.
type retryTimer struct {
	handles []cancelable
}

func schedule(d time.Duration, f func()) cancelable {
	t := time.NewTimer(d)
	go func(t *time.Timer) {
		<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
		f()
	}(t)
	return t
}

func (r *retryTimer) add(d time.Duration, f func()) {
	r.handles = append(r.handles, schedule(d, f))
}

func (r *retryTimer) cancelAll() {
	for _, h := range r.handles {
		h.Stop()
	}
	r.handles = nil
}

// fixedDelayed is time.AfterFunc: stopping it leaves nothing waiting.
var fixedDelayed = func(d time.Duration, f func()) cancelable {
	return time.AfterFunc(d, f)
}

type fixedDebouncer struct {
	mu      sync.Mutex
	wait    time.Duration
	pending map[string]cancelable
}

func (d *fixedDebouncer) touch(key string, action func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if h, ok := d.pending[key]; ok {
		h.Stop()
	}
	d.pending[key] = fixedDelayed(d.wait, action)
}

// stopHandle's Stop also ends the goroutine.
type stopHandle struct {
	t    *time.Timer
	done chan struct{}
}

func (h *stopHandle) Stop() bool {
	close(h.done)
	return h.t.Stop()
}

func laterStoppable(d time.Duration, f func()) cancelable {
	h := &stopHandle{t: time.NewTimer(d), done: make(chan struct{})}
	go func() {
		select {
		case <-h.t.C:
			f()
		case <-h.done:
		}
	}()
	return h
}

func withStoppableDeadline(d time.Duration, work func() error, onTimeout func()) error {
	h := laterStoppable(d, onTimeout)
	err := work()
	h.Stop()
	return err
}

// neverStopped: the handle is returned but nothing stops it; the timer
// fires and the goroutine ends.
func neverStopped(d time.Duration, f func()) cancelable {
	t := time.NewTimer(d)
	go func() {
		<-t.C
		f()
	}()
	return t
}

func fireAndForget(d time.Duration, f func()) {
	h := neverStopped(d, f)
	_ = h
}

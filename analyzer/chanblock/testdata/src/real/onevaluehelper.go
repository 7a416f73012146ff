package real

import "context"

// Upstream: elastic/beats#49414
//
// Bug: the manager's loop starts a helper watching the client's errors
// and both select on stopChan; Stop sends one value. When the helper
// takes it, the loop never stops (its only way out is the value), and the
// stop callback never runs. The helper's other way out is a context the
// loop cancels (deferred: only once it has left). Fix: Stop closes the
// channel, and the helper no longer listens on it.
type managerV2 struct {
	stopChan chan struct{}
	errs     chan error
	changes  chan string
	onStop   func()
}

func newManagerV2() *managerV2 {
	return &managerV2{stopChan: make(chan struct{}, 1), errs: make(chan error), changes: make(chan string)}
}

func (m *managerV2) Start() { go m.listen() }

func (m *managerV2) Stop() {
	m.stopChan <- struct{}{} // want `one value is sent on field stopChan of managerV2, but 2 or more goroutines receive from it, one of which can return only after receiving`
}

func (m *managerV2) watchErrs(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.stopChan:
			return
		case err := <-m.errs:
			_ = err
		}
	}
}

func (m *managerV2) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.watchErrs(ctx)
	for {
		select {
		case <-m.stopChan:
			cancel()
			m.onStop()
			return
		case c := <-m.changes:
			_ = c
		}
	}
}

// The fixed manager: the helper leaves on the context alone.
type managerV2Fixed struct {
	stopChan chan struct{}
	errs     chan error
	changes  chan string
	onStop   func()
}

func newManagerV2Fixed() *managerV2Fixed {
	return &managerV2Fixed{stopChan: make(chan struct{}, 1), errs: make(chan error), changes: make(chan string)}
}

func (m *managerV2Fixed) Start() { go m.listen() }

func (m *managerV2Fixed) Stop() { m.stopChan <- struct{}{} }

func (m *managerV2Fixed) watchErrs(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-m.errs:
			_ = err
		}
	}
}

func (m *managerV2Fixed) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.watchErrs(ctx)
	for {
		select {
		case <-m.stopChan:
			cancel()
			m.onStop()
			return
		case c := <-m.changes:
			_ = c
		}
	}
}

// Look-alike: the loop starts its helper only after it has the value (a
// hand-over): the two never wait at once.
type handOver struct {
	stopChan chan struct{}
	changes  chan string
}

func newHandOver() *handOver {
	return &handOver{stopChan: make(chan struct{}, 1), changes: make(chan string)}
}

func (h *handOver) Start() { go h.listen() }

func (h *handOver) Stop() { h.stopChan <- struct{}{} }

func (h *handOver) drain(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-h.stopChan:
	}
}

func (h *handOver) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for {
		select {
		case <-h.stopChan:
			go h.drain(ctx)
			return
		case c := <-h.changes:
			_ = c
		}
	}
}

// Look-alike: the helper watches another object's stop channel.
type twinLoop struct {
	stopChan chan struct{}
	changes  chan string
	peer     *twinLoop
}

func newTwinLoop() *twinLoop {
	return &twinLoop{stopChan: make(chan struct{}, 1), changes: make(chan string)}
}

func (t *twinLoop) Start() { go t.listen() }

func (t *twinLoop) Stop() { t.stopChan <- struct{}{} }

func (t *twinLoop) watch(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-t.stopChan:
	}
}

func (t *twinLoop) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if t.peer != nil {
		go t.peer.watch(ctx)
	}
	for {
		select {
		case <-t.stopChan:
			return
		case c := <-t.changes:
			_ = c
		}
	}
}

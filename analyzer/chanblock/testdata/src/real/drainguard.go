package real

import "context"

// Upstream: Trendyol/go-pq-cdc-kafka#44
//
// Bug: readyCh has room for one; the start goroutine sends one value when
// the connector is ready, and Close closes readyCh unless isClosed, a
// non-blocking receive, says it already is. With the ready value pending,
// isClosed takes it and answers true, the close is skipped, and a
// WaitUntilReady after Close waits on an open, empty channel. Fix: ready
// and shutdown are two channels, each closed once.
type cdcConnector struct {
	readyCh chan struct{}
	start   func()
}

func newCDCConnector(start func()) *cdcConnector {
	return &cdcConnector{readyCh: make(chan struct{}, 1), start: start}
}

func (c *cdcConnector) Start() {
	go func() {
		c.start()
		c.readyCh <- struct{}{}
	}()
}

func (c *cdcConnector) WaitUntilReady(ctx context.Context) error {
	select {
	case <-c.readyCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *cdcConnector) Close() {
	if !isClosedCh(c.readyCh) { // want `this test decides whether field readyCh of cdcConnector is closed by receiving from it without waiting, but values are sent on the channel`
		close(c.readyCh)
	}
}

func isClosedCh[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// The same test written inline, on a channel of results.
type resultBox struct {
	results chan int
}

func newResultBox() *resultBox { return &resultBox{results: make(chan int, 1)} }

func (r *resultBox) Put(v int) { r.results <- v }

func (r *resultBox) Close() {
	select { // want `this test decides whether field results of resultBox is closed by receiving from it without waiting`
	case <-r.results:
	default:
		close(r.results)
	}
}

// Look-alike: the close-once idiom on a channel only ever closed: there
// is no value to swallow.
type closeOnceBox struct {
	done chan struct{}
}

func newCloseOnceBox() *closeOnceBox { return &closeOnceBox{done: make(chan struct{})} }

func (b *closeOnceBox) Close() {
	select {
	case <-b.done:
	default:
		close(b.done)
	}
}

func (b *closeOnceBox) Stop() {
	if !isClosedCh(b.done) {
		close(b.done)
	}
}

func (b *closeOnceBox) Wait() { <-b.done }

// Look-alike: the test polls another channel than the one it closes.
type twoChanBox struct {
	ready  chan struct{}
	closed chan struct{}
}

func newTwoChanBox() *twoChanBox {
	return &twoChanBox{ready: make(chan struct{}, 1), closed: make(chan struct{})}
}

func (b *twoChanBox) Ready() { b.ready <- struct{}{} }

func (b *twoChanBox) Close() {
	if !isClosedCh(b.closed) {
		close(b.closed)
	}
}

// The fix: a sync.Once-style flag decides, the signal is a close.
type cdcConnectorFixed struct {
	readyCh  chan struct{}
	closedCh chan struct{}
	closed   bool
	start    func()
}

func (c *cdcConnectorFixed) Start() {
	go func() {
		c.start()
		close(c.readyCh)
	}()
}

func (c *cdcConnectorFixed) Close() {
	if !c.closed {
		c.closed = true
		close(c.closedCh)
	}
}

// Look-alike: a drain loop that keeps the values left and closes once the
// channel is empty: the receive does not skip the close for good.
type drainBox struct {
	letters chan string
}

func newDrainBox() *drainBox { return &drainBox{letters: make(chan string, 4)} }

func (d *drainBox) Post(s string) { d.letters <- s }

func (d *drainBox) Shutdown() []string {
	var left []string
	for {
		select {
		case s := <-d.letters:
			left = append(left, s)
		default:
			close(d.letters)
			return left
		}
	}
}

package real

import (
	"context"
	"sync"
	"time"
)

// Upstream: florianl/go-nfqueue#89. Register starts a loop under the
// queue's WaitGroup; the loop adds a goroutine that waits for the
// caller's context and then interrupts the read. Close closes the
// connection and waits: the read loop ends, the watcher does not, until
// the caller cancels the context it passed to Register.
type nfConn interface {
	Receive() ([]byte, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

type nfQueue struct {
	con nfConn
	wg  sync.WaitGroup
}

func (q *nfQueue) Close() error {
	err := q.con.Close()
	q.wg.Wait() // want `Close waits on wg for a goroutine \(started at line \d+\) that can only end when the context passed to Register is done; nothing in the package cancels that context`
	return err
}

func (q *nfQueue) Register(ctx context.Context, fn func([]byte) int) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.callback(ctx, fn)
	}()
}

func (q *nfQueue) callback(ctx context.Context, fn func([]byte) int) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		<-ctx.Done()
		q.con.SetReadDeadline(time.Now())
	}()
	for ctx.Err() == nil {
		b, err := q.con.Receive()
		if err != nil || fn(b) != 0 {
			return
		}
	}
}

// A Stop with a deferred Wait, the watcher started by the exported
// method itself with a named helper.
type ctxPinger struct {
	wg   sync.WaitGroup
	ping func()
}

func (p *ctxPinger) Start(ctx context.Context) {
	p.wg.Add(1)
	go p.watch(ctx)
}

func (p *ctxPinger) watch(ctx context.Context) {
	defer p.wg.Done()
	<-ctx.Done()
	p.ping()
}

func (p *ctxPinger) Stop() {
	defer p.wg.Wait() // want `Stop waits on wg for a goroutine \(started at line \d+\) that can only end when the context passed to Start is done`
}

// The fix: Register derives a context whose cancel the queue keeps, and
// Close cancels before waiting.
type nfQueueFixed struct {
	con     nfConn
	wg      sync.WaitGroup
	mu      sync.Mutex
	cancels []context.CancelFunc
}

func (q *nfQueueFixed) Close() error {
	q.mu.Lock()
	for _, c := range q.cancels {
		c()
	}
	q.mu.Unlock()
	err := q.con.Close()
	q.wg.Wait()
	return err
}

func (q *nfQueueFixed) Register(ctx context.Context, fn func([]byte) int) {
	ctx, cancel := context.WithCancel(ctx)
	q.mu.Lock()
	q.cancels = append(q.cancels, cancel)
	q.mu.Unlock()
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		q.callback(ctx, fn)
	}()
}

func (q *nfQueueFixed) callback(ctx context.Context, fn func([]byte) int) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		<-ctx.Done()
		q.con.SetReadDeadline(time.Now())
	}()
	for ctx.Err() == nil {
		b, err := q.con.Receive()
		if err != nil || fn(b) != 0 {
			return
		}
	}
}

// Look-alikes: the watcher also returns on the object's quit channel
// that Close closes; the method that waits does not end the object's
// life (a Flush); the context comes from an unexported function (the
// package's own caller may cancel it); the WaitGroup is another object's.
type ctxQuitter struct {
	wg   sync.WaitGroup
	quit chan struct{}
}

func newCtxQuitter() *ctxQuitter { return &ctxQuitter{quit: make(chan struct{})} }

func (q *ctxQuitter) Start(ctx context.Context) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		select {
		case <-ctx.Done():
		case <-q.quit:
		}
	}()
}

func (q *ctxQuitter) Close() {
	close(q.quit)
	q.wg.Wait()
}

type ctxFlusher struct {
	wg sync.WaitGroup
}

func (f *ctxFlusher) Watch(ctx context.Context) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		<-ctx.Done()
	}()
}

func (f *ctxFlusher) Flush() { f.wg.Wait() }

type ctxInner struct {
	wg sync.WaitGroup
}

func (i *ctxInner) watch(ctx context.Context) {
	i.wg.Add(1)
	go func() {
		defer i.wg.Done()
		<-ctx.Done()
	}()
}

func (i *ctxInner) Close() { i.wg.Wait() }

func runCtxInner(i *ctxInner) {
	ctx, cancel := context.WithCancel(context.Background())
	i.watch(ctx)
	cancel()
	i.Close()
}

type ctxOwner struct {
	peer *ctxInner
	wg   sync.WaitGroup
}

func (o *ctxOwner) Watch(ctx context.Context) {
	o.peer.wg.Add(1)
	go func() {
		defer o.peer.wg.Done()
		<-ctx.Done()
	}()
}

func (o *ctxOwner) Close() { o.wg.Wait() }

// Package bug is a held-out kernel (issue 14): the goroutine that ties a
// process to a context receives from ctx.Done(), which for a background
// context is nil and for others may never be closed.
//
// Upstream: jbenet/goprocess#10 ("weird case with nil channel")
// Round: 14
//
// Bug: goprocessctx.WithContextAndTeardown makes a process with a teardown
// and starts a goroutine doing "<-ctx.Done(); p.Close()". go-ipfs passed
// context.Background() in places, whose Done() is nil, and the dump showed
// the goroutine as "chan receive (nil chan)": it can never run. The same
// goroutine also outlives every process that is closed directly, before
// its context ends, since it only ever waits on the context. The process
// type and the DHT-like user are our reduction of goprocess and its
// go-ipfs callers.
//
// Fix (the issue was closed as fixed by goprocess#11; the kernel follows
// the library's later CloseAfterContext): no goroutine is started when
// ctx.Done() is nil, and the goroutine selects on ctx.Done() and on the
// process's Closed() channel.
package bug

import (
	"context"
	"sync"
)

// TeardownFunc releases a process's resources.
type TeardownFunc func() error

// Process is something that can be closed once.
type Process interface {
	Close() error
	Closed() <-chan struct{}
}

type process struct {
	teardown TeardownFunc
	once     sync.Once
	closed   chan struct{}
	err      error
}

// WithTeardown makes a process that runs tf when closed.
func WithTeardown(tf TeardownFunc) Process {
	return &process{teardown: tf, closed: make(chan struct{})}
}

func (p *process) Close() error {
	p.once.Do(func() {
		if p.teardown != nil {
			p.err = p.teardown()
		}
		close(p.closed)
	})
	return p.err
}

func (p *process) Closed() <-chan struct{} {
	return p.closed
}

// WithContextAndTeardown makes a process closed when ctx is done.
func WithContextAndTeardown(ctx context.Context, tf TeardownFunc) Process {
	if ctx == nil {
		panic("nil Context")
	}
	p := WithTeardown(tf)
	go func() {
		<-ctx.Done() // heldout:site
		p.Close()
	}()
	return p
}

// DHT is a routing table service run as a process.
type DHT struct {
	proc  Process
	peers map[string]bool
	mu    sync.Mutex
}

// NewDHT starts a DHT bound to ctx.
func NewDHT(ctx context.Context) *DHT {
	d := &DHT{peers: make(map[string]bool)}
	d.proc = WithContextAndTeardown(ctx, d.teardown)
	return d
}

func (d *DHT) teardown() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.peers = nil
	return nil
}

// Close stops the DHT.
func (d *DHT) Close() error {
	return d.proc.Close()
}

// Lookup runs one short-lived DHT for a query.
func Lookup(key string) bool {
	d := NewDHT(context.Background()) // heldout:site
	defer d.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peers[key]
}

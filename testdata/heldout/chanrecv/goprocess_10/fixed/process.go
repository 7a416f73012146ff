// Package fixed is the fixed version of chanrecv/goprocess_10: no
// goroutine for a context that is never done, and the goroutine also
// leaves when the process is closed first.
package fixed

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
	if ctx.Done() == nil {
		return p
	}
	go func() {
		select {
		case <-ctx.Done():
			p.Close()
		case <-p.Closed():
		}
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
	d := NewDHT(context.Background())
	defer d.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.peers[key]
}

// Package fixed is the fixed version of cond/slingshot_41: the imports
// Cond is a buffered channel; the watcher does a non-blocking send after
// recording a peg and importFromPegs selects on it and on ctx.Done(), so
// a cancellation is never missed.
package fixed

import (
	"context"
	"sync"
)

// Peg is a payment into the custodian's Stellar account.
type Peg struct {
	TxID     string
	Amount   int64
	imported bool
}

// Custodian moves funds between Stellar and the sidechain.
type Custodian struct {
	imports chan struct{}

	mu   sync.Mutex
	pegs []*Peg

	imported []string
}

// NewCustodian returns a custodian with no pegs yet.
func NewCustodian() *Custodian {
	return &Custodian{imports: make(chan struct{}, 1)}
}

// watchPegs records each peg seen on Stellar and wakes the importer.
func (c *Custodian) watchPegs(ctx context.Context, pegs <-chan *Peg) {
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-pegs:
			c.mu.Lock()
			c.pegs = append(c.pegs, p)
			c.mu.Unlock()
			select {
			case c.imports <- struct{}{}:
			default:
			}
		}
	}
}

// importFromPegs runs as a goroutine.
func (c *Custodian) importFromPegs(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.imports:
		}

		c.mu.Lock()
		for _, p := range c.pegs {
			if p.imported {
				continue
			}
			c.doImport(p)
		}
		c.mu.Unlock()
	}
}

func (c *Custodian) doImport(p *Peg) {
	p.imported = true
	c.imported = append(c.imported, p.TxID)
}

// Launch runs the watcher and the importer until ctx is cancelled and
// waits for both to exit.
func (c *Custodian) Launch(ctx context.Context, pegs <-chan *Peg) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.watchPegs(ctx, pegs)
	}()
	go func() {
		defer wg.Done()
		c.importFromPegs(ctx)
	}()
	wg.Wait()
}

// Run imports one peg and shuts the custodian down.
func Run() []string {
	ctx, cancel := context.WithCancel(context.Background())
	pegs := make(chan *Peg)
	c := NewCustodian()
	go func() {
		pegs <- &Peg{TxID: "a1", Amount: 10}
		cancel()
	}()
	c.Launch(ctx, pegs)
	return c.imported
}

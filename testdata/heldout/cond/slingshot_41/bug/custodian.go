// Package bug is a held-out kernel (issue 14): slidechain's custodian
// imports pegged Stellar funds in importFromPegs, a goroutine that holds
// the imports Cond's lock, checks ctx.Err() and then Waits for the peg
// watcher to Broadcast that a new peg was recorded. On shutdown the
// watcher Broadcasts once more so that the importer sees the cancelled
// context, but it does so without the Cond's lock: when the cancel lands
// after importFromPegs has checked ctx.Err() and before it parks in Wait,
// the last Broadcast wakes no one and importFromPegs waits forever.
//
// Upstream: stellar/slingshot#41 ("slingshot: exit goroutines on context cancellation")
// Round: 16
//
// Bug: the custodian's imports Cond, importFromPegs (lock, check ctx.Err,
// Wait, query the pegs not yet imported, import each) and the watcher
// that records pegs and Broadcasts follow slidechain's import.go and
// custodian.go before the PR; the database is reduced to a slice of pegs
// under the Cond's lock, and the exports Cond, which the PR changes the
// same way, is left out. That the watcher broadcast on cancellation
// without the lock is our reading of the PR's description.
//
// Fix: the PR replaces the Cond with a buffered channel: the watcher
// does a non-blocking send after recording a peg, and importFromPegs
// selects on it and on ctx.Done(), so a cancellation is never missed.
package bug

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
	imports *sync.Cond
	pegs    []*Peg

	imported []string
}

// NewCustodian returns a custodian with no pegs yet.
func NewCustodian() *Custodian {
	return &Custodian{imports: sync.NewCond(new(sync.Mutex))}
}

// watchPegs records each peg seen on Stellar and wakes the importer.
func (c *Custodian) watchPegs(ctx context.Context, pegs <-chan *Peg) {
	for {
		select {
		case <-ctx.Done():
			c.imports.Broadcast() // heldout:site
			return
		case p := <-pegs:
			c.imports.L.Lock()
			c.pegs = append(c.pegs, p)
			c.imports.L.Unlock()
			c.imports.Broadcast()
		}
	}
}

// importFromPegs runs as a goroutine.
func (c *Custodian) importFromPegs(ctx context.Context) {
	c.imports.L.Lock()
	defer c.imports.L.Unlock()

	for {
		if err := ctx.Err(); err != nil {
			return
		}
		c.imports.Wait() // heldout:site

		for _, p := range c.pegs {
			if p.imported {
				continue
			}
			c.doImport(p)
		}
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
	wg.Wait() // heldout:site
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

// Package bug is a held-out kernel (issue 14): a read database's Run loop
// starts two event handlers counted in a WaitGroup, both reporting their
// failure on one unbuffered error channel; Run takes the first error,
// cancels, and waits on the group, while the second handler, failing too,
// blocks for ever on its send and never reaches Done.
//
// Upstream: agola-io/agola#58 ("readdb: fix deadlock in Run method")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: each iteration of Run adds two to wg and starts handleEvents and
// handleEventsOST; each sends its error on errCh and then calls
// wg.Done(). Run selects on ctx.Done() and errCh, and after the first
// error cancels and calls wg.Wait(). The PR: "if two of the goroutines
// that call HandleEvents.* try to write to the errCh at the same time
// before the errCh is read ... one of the two will be blocked on writing
// to the channel but the read won't happen since it'll blocked by
// wg.Wait()". The handlers' etcd watch and object-storage polling are
// reduced to a Source interface.
//
// Fix: errCh is made in every iteration with a buffer as large as the
// number of goroutines, so both sends complete and both reach Done.
package bug

import (
	"context"
	"log"
	"sync"
	"time"
)

// Source delivers the events a handler applies to the read database.
type Source interface {
	Next(ctx context.Context) (string, error)
}

// ReadDB mirrors the run service's state.
type ReadDB struct {
	etcd Source
	ost  Source

	initLock    sync.Mutex
	Initialized bool
	applied     []string
	mu          sync.Mutex
}

// NewReadDB returns a read database fed by etcd and object storage.
func NewReadDB(etcd, ost Source) *ReadDB {
	return &ReadDB{etcd: etcd, ost: ost, Initialized: true}
}

// IsInitialized reports whether the database is in sync.
func (r *ReadDB) IsInitialized() bool {
	r.initLock.Lock()
	defer r.initLock.Unlock()
	return r.Initialized
}

func (r *ReadDB) apply(ev string) {
	r.mu.Lock()
	r.applied = append(r.applied, ev)
	r.mu.Unlock()
}

func (r *ReadDB) handle(ctx context.Context, src Source) error {
	for {
		ev, err := src.Next(ctx)
		if err != nil {
			return err
		}
		r.apply(ev)
	}
}

func (r *ReadDB) handleEvents(ctx context.Context) error    { return r.handle(ctx, r.etcd) }
func (r *ReadDB) handleEventsOST(ctx context.Context) error { return r.handle(ctx, r.ost) }

// Run applies events until ctx is done, restarting both handlers after
// either fails.
func (r *ReadDB) Run(ctx context.Context) error {
	errCh := make(chan error) // heldout:site
	for {
		ctx, cancel := context.WithCancel(ctx)
		wg := &sync.WaitGroup{}

		wg.Add(1)
		go func() {
			if err := r.handleEvents(ctx); err != nil {
				log.Printf("handleEvents err: %+v", err)
				errCh <- err // heldout:site
			}
			wg.Done()
		}()

		wg.Add(1)
		go func() {
			if err := r.handleEventsOST(ctx); err != nil {
				log.Printf("handleEventsOST err: %+v", err)
				errCh <- err // heldout:site
			}
			wg.Done()
		}()

		select {
		case <-ctx.Done():
			log.Printf("readdb exiting")
			cancel()
			return nil
		case <-errCh:
			// cancel context and wait for the all the goroutines to exit
			cancel()
			wg.Wait() // heldout:site
		}

		time.Sleep(1 * time.Second)
	}
}

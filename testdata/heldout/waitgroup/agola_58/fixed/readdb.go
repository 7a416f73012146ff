// Package fixed is the fixed version of waitgroup/agola_58: every iteration
// makes errCh with room for both handlers' errors, so neither blocks before
// Done.
package fixed

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
	for {
		// one slot per goroutine, so neither blocks on its send; a new
		// channel every time, so later errors of this round are ignored
		errCh := make(chan error, 2)
		ctx, cancel := context.WithCancel(ctx)
		wg := &sync.WaitGroup{}

		wg.Add(1)
		go func() {
			if err := r.handleEvents(ctx); err != nil {
				log.Printf("handleEvents err: %+v", err)
				errCh <- err
			}
			wg.Done()
		}()

		wg.Add(1)
		go func() {
			if err := r.handleEventsOST(ctx); err != nil {
				log.Printf("handleEventsOST err: %+v", err)
				errCh <- err
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
			wg.Wait()
		}

		time.Sleep(1 * time.Second)
	}
}

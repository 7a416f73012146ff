// Package fixed is the fixed version of select/thanos_1727: the upload
// actor checks ctx.Done() before each select (the PR) and also returns when
// uploadC is closed (our addition).
//
// Upstream: thanos-io/thanos#1727 ("cmd/thanos/receive: avoid deadlock")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"fmt"
)

// group is oklog/run's Group: the first actor to return interrupts all.
type group struct {
	actors []actor
}

type actor struct {
	execute   func() error
	interrupt func(error)
}

// Add adds an actor.
func (g *group) Add(execute func() error, interrupt func(error)) {
	g.actors = append(g.actors, actor{execute, interrupt})
}

// Run runs all actors until the first returns, interrupts all of them and
// waits for them.
func (g *group) Run() error {
	if len(g.actors) == 0 {
		return nil
	}
	errs := make(chan error, len(g.actors))
	for _, a := range g.actors {
		go func(a actor) {
			errs <- a.execute()
		}(a)
	}
	err := <-errs
	for _, a := range g.actors {
		a.interrupt(err)
	}
	for i := 1; i < cap(errs); i++ {
		<-errs
	}
	return err
}

// Hashring routes series to receivers.
type Hashring interface {
	Get(tenant string) (string, error)
}

// FlushableStorage is the TSDB the receiver writes to.
type FlushableStorage interface {
	Flush() error
	Open() error
}

// Shipper uploads finished blocks.
type Shipper interface {
	Sync(ctx context.Context) (int, error)
}

// Handler is the remote-write handler.
type Handler interface {
	Hashring(h Hashring)
	SetReady(ready bool)
}

func runReceive(
	g *group,
	db FlushableStorage,
	shipper Shipper,
	webHandler Handler,
	updates <-chan Hashring,
	upload bool,
	logf func(string, ...any),
) {
	// dbReady signals when TSDB is ready and the store can serve.
	dbReady := make(chan struct{}, 1)
	// updateDB signals when TSDB needs to be flushed and updated.
	updateDB := make(chan struct{}, 1)
	// uploadC signals when new blocks should be uploaded.
	uploadC := make(chan struct{}, 1)
	// uploadDone signals when uploading has finished.
	uploadDone := make(chan struct{}, 1)

	{
		// TSDB.
		cancel := make(chan struct{})
		g.Add(func() error {
			defer close(dbReady)
			defer close(uploadC)
			defer func() {
				if err := db.Flush(); err != nil {
					logf("failed to flush storage: %v", err)
				}
			}()
			for {
				select {
				case <-cancel:
					return nil
				case _, ok := <-updateDB:
					if !ok {
						return nil
					}
					if err := db.Flush(); err != nil {
						return fmt.Errorf("flushing storage: %w", err)
					}
					if err := db.Open(); err != nil {
						return fmt.Errorf("opening storage: %w", err)
					}
					if upload {
						uploadC <- struct{}{}
						<-uploadDone
					}
					webHandler.SetReady(true)
					dbReady <- struct{}{}
				}
			}
		}, func(error) {
			close(cancel)
		})
	}

	{
		// Hashring.
		cancel := make(chan struct{})
		g.Add(func() error {
			defer close(updateDB)
			for {
				select {
				case h, ok := <-updates:
					if !ok {
						return nil
					}
					webHandler.SetReady(false)
					webHandler.Hashring(h)
					select {
					case updateDB <- struct{}{}:
					case <-cancel:
						return nil
					}
				case <-cancel:
					return nil
				}
			}
		}, func(error) {
			close(cancel)
		})
	}

	{
		// Store: serves the DB each time it is (re)opened.
		g.Add(func() error {
			for range dbReady {
				logf("store: serving the reopened TSDB")
			}
			return nil
		}, func(error) {})
	}

	if upload {
		// Upload on demand.
		ctx, cancel := context.WithCancel(context.Background())
		g.Add(func() error {
			// Before quitting, ensure all blocks are uploaded.
			defer func() {
				<-uploadC
				if uploaded, err := shipper.Sync(context.Background()); err != nil {
					logf("failed to upload %d: %v", uploaded, err)
				}
			}()
			defer close(uploadDone)
			for {
				select {
				case <-ctx.Done():
					return nil
				default:
				}
				select {
				case <-ctx.Done():
					return nil
				case _, ok := <-uploadC:
					if !ok {
						return nil
					}
					if uploaded, err := shipper.Sync(ctx); err != nil {
						logf("failed to upload %d: %v", uploaded, err)
					}
					uploadDone <- struct{}{}
				}
			}
		}, func(error) {
			cancel()
		})
	}
}

// Run starts the receiver and returns when it stops.
func Run(db FlushableStorage, shipper Shipper, webHandler Handler, updates <-chan Hashring, upload bool, logf func(string, ...any)) error {
	if db == nil {
		return errors.New("no storage")
	}
	g := &group{}
	runReceive(g, db, shipper, webHandler, updates, upload, logf)
	return g.Run()
}

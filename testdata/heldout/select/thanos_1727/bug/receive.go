// Package bug is a held-out kernel (issue 14): when receive bails, the
// upload-on-demand actor's select keeps choosing the closed uploadC over
// ctx.Done(), and its second acknowledgement on uploadDone blocks for ever
// because the TSDB actor that read it has exited.
//
// Upstream: thanos-io/thanos#1727 ("cmd/thanos/receive: avoid deadlock")
// Round: 19
//
// Bug: runReceive (cmd/thanos/receive.go) adds actors to a run group. The
// TSDB actor flushes and reopens the DB on every hashring update and, when
// uploads are enabled, sends on uploadC and waits on uploadDone (both of
// capacity 1); it closes uploadC when it returns. The upload-on-demand
// actor loops on `select { case <-ctx.Done(): return; case <-uploadC: Sync;
// uploadDone <- struct{}{} }`. When the TSDB actor returns (a failed
// flush: receive bails), uploadC is closed and always ready, so the select
// may pick it again and again before or after the group's interrupt
// cancels ctx; the first acknowledgement fills uploadDone, the second
// blocks for ever, and the group's Run never returns (the PR: "there is a
// race in a select statement, where the non-returning branch may be
// chosen. This branch will deadlock if selected twice because the channel
// reader has already exited"). Reduced from cmd/thanos/receive.go at the
// time; oklog/run's Group is a stdlib copy of its Add/Run, the TSDB, the
// shipper and the web handler are interfaces, and the HTTP and gRPC
// servers and the periodic uploader are left out. The hashring actor's
// send on updateDB also selects on its cancel channel here (our
// simplification, in both versions, so that it is not a second leak).
//
// Fix: the PR checks ctx.Done() without blocking at the top of every loop
// before the select. That alone still leaves a window between the TSDB
// actor's exit and the group's interrupt, so the fixed version here also
// returns when uploadC is closed (our addition).
package bug

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
						return fmt.Errorf("flushing storage: %w", err) // heldout:site
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
				case <-uploadC: // heldout:site
					if uploaded, err := shipper.Sync(ctx); err != nil {
						logf("failed to upload %d: %v", uploaded, err)
					}
					uploadDone <- struct{}{} // heldout:site
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

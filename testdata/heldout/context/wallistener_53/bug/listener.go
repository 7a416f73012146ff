// Package bug is a held-out kernel (issue 14): wal-listener's Process runs
// its health server, the WAL stream, the connection checker and the
// signal handler in an error group made without a context; when the
// connection checker or the stream fails, nothing cancels the others, so
// the signal goroutine waits for SIGTERM for ever, the health server is
// never shut down and group.Wait never returns: the process sits there
// doing nothing instead of exiting and being restarted.
//
// Upstream: ihippik/wal-listener#53 ("Fix instanciation of errgroup")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Process derives ctx from the caller's context with a cancel func
// that only the signal goroutine calls, and starts its goroutines with
// group := new(errgroup.Group). checkConnection returns
// errReplConnectionIsLost when the replication connection dies, and
// Stream returns on a replication or publish error; the group records
// the first error but, having no context, cancels nothing. The signal
// goroutine is still blocked on its signal channel, so cancelCtxFunc and
// healthCheckServer.Shutdown are never called and the health goroutine
// stays in ListenAndServe. errgroup is reduced to a small Group type
// here (the standard library has none); the replicator, repository and
// health server are reduced to interfaces. Upstream's startup states
// (a sync.Cond the stream and checker wait on until startup is done) are
// left out of both versions: a failed startup leaves them waiting in the
// fixed code too.
//
// Fix (ihippik/wal-listener#53; the exact diff is our reading of the PR
// description): the group comes from errgroup.WithContext and its context
// is the one the goroutines use; the signal goroutine also returns when
// that context is done, so the first error cancels the stream and the
// checker, the health server is shut down and Wait returns the error.
package bug

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

var errReplConnectionIsLost = errors.New("replication connection to postgres is lost")

// Group is errgroup.Group reduced: it waits for its goroutines and keeps
// the first error, cancelling its context (when it has one) on that error.
type Group struct {
	cancel  context.CancelCauseFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

// WithContext returns a Group whose context is cancelled by the first
// error.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &Group{cancel: cancel}, ctx
}

// Go runs f in a goroutine of the group.
func (g *Group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel(err)
				}
			})
		}
	}()
}

// Wait waits for every goroutine and returns the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel(g.err)
	}
	return g.err
}

type replication interface {
	WaitForReplicationMessage(ctx context.Context) ([]byte, error)
	IsAlive() bool
	Close() error
}

type repository interface {
	IsAlive() bool
	Close() error
}

type publisher interface {
	Publish(ctx context.Context, subject string, data []byte) error
}

type healthServer interface {
	ListenAndServe() error
	Shutdown(ctx context.Context) error
}

// ErrServerClosed is what ListenAndServe returns after Shutdown.
var ErrServerClosed = errors.New("http: Server closed")

// Listener is the main service struct.
type Listener struct {
	replicator        replication
	repository        repository
	publisher         publisher
	healthCheckServer healthServer
	refresh           time.Duration
	mu                sync.Mutex
	shuttingDown      bool
}

// Process is the service's entry point.
func (l *Listener) Process(orgCtx context.Context) error {
	ctx, cancelCtxFunc := context.WithCancel(orgCtx)

	group := new(Group) // heldout:site
	group.Go(func() error {
		return l.healthCheckServer.ListenAndServe()
	})
	group.Go(func() error {
		return l.Stream(ctx)
	})
	group.Go(func() error {
		return l.checkConnection(ctx)
	})
	group.Go(func() error {
		shutdownCh := make(chan os.Signal, 1)
		signal.Notify(shutdownCh, syscall.SIGINT, syscall.SIGTERM)
		<-shutdownCh // heldout:site
		signal.Reset()

		log.Print("received shutdown signal, listener is shutting down")
		l.mu.Lock()
		l.shuttingDown = true
		l.mu.Unlock()

		cancelCtxFunc()

		shutdownCtx, shutdownRelease := context.WithTimeout(context.Background(), 5*time.Second)
		defer shutdownRelease()
		return l.healthCheckServer.Shutdown(shutdownCtx)
	})

	err := group.Wait() // heldout:site
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrServerClosed) {
		log.Print("listener processes is done")
		return nil
	}
	return err
}

// checkConnection periodically checks the connections.
func (l *Listener) checkConnection(ctx context.Context) error {
	refresh := time.NewTicker(l.refresh)
	defer refresh.Stop()
	for {
		select {
		case <-refresh.C:
			if !l.replicator.IsAlive() {
				return fmt.Errorf("replicator: %w", errReplConnectionIsLost)
			}
			if !l.repository.IsAlive() {
				return fmt.Errorf("repository: %w", errReplConnectionIsLost)
			}
		case <-ctx.Done():
			if err := l.Stop(); err != nil {
				log.Printf("failed to stop service: %v", err)
			}
			return nil
		}
	}
}

// Stream receives WAL messages and publishes them.
func (l *Listener) Stream(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		msg, err := l.replicator.WaitForReplicationMessage(ctx)
		if err != nil {
			return fmt.Errorf("wait for replication message: %w", err)
		}
		if msg == nil {
			continue
		}
		if err := l.publisher.Publish(ctx, "wal_listener", msg); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
}

// Stop closes the connections.
func (l *Listener) Stop() error {
	if err := l.repository.Close(); err != nil {
		return fmt.Errorf("repository close: %w", err)
	}
	if err := l.replicator.Close(); err != nil {
		return fmt.Errorf("replicator close: %w", err)
	}
	return nil
}

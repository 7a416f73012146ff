// Package bug is a held-out kernel (issue 14): a controller manager whose
// start-up goroutine reports a failure on the manager's unbuffered error
// channel, which Start stops reading once its context is done.
//
// Upstream: kubernetes-sigs/controller-runtime#2527 (":bug: fix: goroutine leak")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Start launches leader election (or, without a resource lock, the
// leader-election runnables directly) on a goroutine that sends any error
// with cm.errChan <- err, and then waits in a select for either its
// context's Done or an error. errChan is unbuffered; when the context ends
// first, Start runs the stop procedure and returns, and a later failure of
// leader election or of starting the runnables blocks the goroutine on the
// send for ever. The PR names the send on the unbuffered errChan; the
// interfaces standing in for the leader elector and the runnable groups are
// our reduction.
//
// Fix (our reading of the one-line PR): the goroutine's sends also select
// on the manager's internal context, which the stop procedure cancels on
// every return from Start.
package bug

import (
	"context"
	"sync"
)

// Runnables starts a group of runnables.
type Runnables interface {
	Start(ctx context.Context) error
	StopAndWait(ctx context.Context)
}

// LeaderElector runs leader election until ctx ends.
type LeaderElector interface {
	Run(ctx context.Context, onStartedLeading func(ctx context.Context)) error
}

type controllerManager struct {
	sync.Mutex
	started bool

	errChan       chan error
	elected       chan struct{}
	resourceLock  LeaderElector
	caches        Runnables
	leaderRunners Runnables

	internalCtx    context.Context
	internalCancel context.CancelFunc
}

func newManager(lock LeaderElector, caches, leaders Runnables) *controllerManager {
	return &controllerManager{
		errChan:       make(chan error),
		elected:       make(chan struct{}),
		resourceLock:  lock,
		caches:        caches,
		leaderRunners: leaders,
	}
}

func (cm *controllerManager) startLeaderElectionRunnables() error {
	return cm.leaderRunners.Start(cm.internalCtx)
}

func (cm *controllerManager) startLeaderElection(ctx context.Context) error {
	return cm.resourceLock.Run(ctx, func(context.Context) {
		if err := cm.startLeaderElectionRunnables(); err != nil {
			cm.errChan <- err // heldout:site
			return
		}
		close(cm.elected)
	})
}

func (cm *controllerManager) engageStopProcedure() {
	cm.internalCancel()
	cm.leaderRunners.StopAndWait(context.Background())
	cm.caches.StopAndWait(context.Background())
}

// Start runs the manager until ctx is done or a runnable fails.
func (cm *controllerManager) Start(ctx context.Context) error {
	cm.Lock()
	cm.internalCtx, cm.internalCancel = context.WithCancel(context.Background())
	cm.started = true
	defer cm.engageStopProcedure()

	if err := cm.caches.Start(cm.internalCtx); err != nil {
		cm.Unlock()
		return err
	}

	go func() {
		if cm.resourceLock != nil {
			if err := cm.startLeaderElection(cm.internalCtx); err != nil {
				cm.errChan <- err // heldout:site
			}
		} else {
			if err := cm.startLeaderElectionRunnables(); err != nil {
				cm.errChan <- err // heldout:site
				return
			}
			close(cm.elected)
		}
	}()
	cm.Unlock()

	select {
	case <-ctx.Done():
		return nil // heldout:site
	case err := <-cm.errChan:
		return err
	}
}

// Package fixed is the fixed version of chansend/controllerruntime_2527: the
// start-up goroutine's error sends select on the manager's internal
// context, cancelled whenever Start returns.
package fixed

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

// reportError hands err to Start unless the manager is stopping.
func (cm *controllerManager) reportError(err error) {
	select {
	case cm.errChan <- err:
	case <-cm.internalCtx.Done():
	}
}

func (cm *controllerManager) startLeaderElectionRunnables() error {
	return cm.leaderRunners.Start(cm.internalCtx)
}

func (cm *controllerManager) startLeaderElection(ctx context.Context) error {
	return cm.resourceLock.Run(ctx, func(context.Context) {
		if err := cm.startLeaderElectionRunnables(); err != nil {
			cm.reportError(err)
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
				cm.reportError(err)
			}
		} else {
			if err := cm.startLeaderElectionRunnables(); err != nil {
				cm.reportError(err)
				return
			}
			close(cm.elected)
		}
	}()
	cm.Unlock()

	select {
	case <-ctx.Done():
		return nil
	case err := <-cm.errChan:
		return err
	}
}

// Package bug is a held-out kernel (issue 14): a log operation manager's
// loop, meant to log a failed pass only when its context is still live,
// tests that with a receive on ctx.Done(); the context is the server's,
// cancelled only when the binary exits, so the first failed pass parks
// the loop on that receive and no log is sequenced again.
//
// Upstream: google/trillian#1407 ("Fix OperationLoop error hiding hang")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: OperationLoop runs getLogsAndExecutePass, and on error does
// `if _, ok := <-ctx.Done(); ok { log the error }`, meaning "suppress the
// error when we are exiting". But a receive on the Done channel of a live
// context blocks until it is cancelled; the PR: "This particular context,
// however, will not close until the binary exits, effectively hiding the
// error message and hanging the goroutine." The election runners, the
// resignation queue and the executor are reduced to what the loop touches.
//
// Fix: the loop asks ctx.Err() instead of receiving from ctx.Done(), and
// logs the error when it is nil.
package bug

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// TimeSource tells the time; tests substitute a fake.
type TimeSource interface {
	Now() time.Time
}

// LogOperation is run on every log this instance is master for.
type LogOperation interface {
	ExecutePass(ctx context.Context, logID int64) (int, error)
}

// LogOperationInfo configures the manager.
type LogOperationInfo struct {
	TimeSource  TimeSource
	RunInterval time.Duration
	ListLogs    func(ctx context.Context) ([]int64, error)
}

type resignation struct {
	ID   string
	done chan struct{}
}

func (r *resignation) Execute(ctx context.Context) { close(r.done) }

type electionRunner struct{ cancel context.CancelFunc }

// LogOperationManager runs LogOperation passes in a loop.
type LogOperationManager struct {
	info                LogOperationInfo
	logOperation        LogOperation
	pendingResignations chan resignation
	electionRunner      map[string]*electionRunner
	runnerWG            sync.WaitGroup
}

// NewLogOperationManager returns a manager for op.
func NewLogOperationManager(info LogOperationInfo, op LogOperation) *LogOperationManager {
	return &LogOperationManager{
		info:                info,
		logOperation:        op,
		pendingResignations: make(chan resignation, 100),
		electionRunner:      make(map[string]*electionRunner),
	}
}

func (l *LogOperationManager) getLogsAndExecutePass(ctx context.Context) error {
	ids, err := l.info.ListLogs(ctx)
	if err != nil {
		return errors.New("failed to list active log IDs: " + err.Error())
	}
	for _, id := range ids {
		if _, err := l.logOperation.ExecutePass(ctx, id); err != nil {
			log.Printf("ExecutePass(%v) failed: %v", id, err)
		}
	}
	return nil
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// OperationLoop runs passes until ctx is done.
func (l *LogOperationManager) OperationLoop(ctx context.Context) {
	log.Printf("Log operation manager starting")
loop:
	for {
		start := l.info.TimeSource.Now()
		if err := l.getLogsAndExecutePass(ctx); err != nil {
			// Suppress the error if ctx is done (ok==false) as we're exiting.
			if _, ok := <-ctx.Done(); ok { // heldout:site
				log.Printf("failed to execute operation on logs: %v", err)
			}
		}

		select {
		case <-ctx.Done():
			log.Printf("Log operation manager shutting down")
			break loop
		default:
		}

		doneResigning := false
		for !doneResigning {
			select {
			case r := <-l.pendingResignations:
				r.Execute(ctx)
			default:
				doneResigning = true
			}
		}

		wait := l.info.RunInterval - l.info.TimeSource.Now().Sub(start)
		if wait > 0 {
			if err := sleepContext(ctx, wait); err != nil {
				log.Printf("Log operation manager shutting down")
				break loop
			}
		}
	}

	for _, runner := range l.electionRunner {
		if runner != nil {
			runner.cancel()
		}
	}
	l.runnerWG.Wait()
}

// Package bug is a held-out kernel (issue 14): the Evergreen agent's
// taskContext, whose getCallbackTimeout read-locks the context and then
// calls getTaskConfig, which read-locks it again. The callback timeout
// watcher calls it every tick while the task runner sets the task config
// (a write lock); a Lock queued between the two RLocks blocks the second,
// and the watcher and the runner wait on each other for ever.
//
// Upstream: evergreen-ci/evergreen#6923 ("Revert \"Revert \"EVG-20281: improve callback timeout behavior (#6894)\" (#6922)\"")
// Round: 14
//
// Bug: the PR re-lands EVG-20281 and "fixes an issue where
// getCallbackTimeout double acquires the task context read lock", citing
// the RLock documentation on a Lock "right before the recursive RLock".
// taskContext (an embedded RWMutex, taskConfig, getTaskConfig,
// getCallbackTimeout) and the agent's startTimeoutWatch, which polls a
// getTimeout func on a ticker, follow agent/task_context.go and
// agent/timeout.go; the runner that swaps the config in and the
// project and config types are our reduction.
//
// Fix: getCallbackTimeout no longer takes the read lock itself; it reads
// the config through getTaskConfig, which does.
package bug

import (
	"context"
	"sync"
	"time"
)

const defaultCallbackCmdTimeout = 15 * time.Minute

// Project is the parsed project configuration.
type Project struct {
	CallbackTimeout int
}

// TaskConfig is the task's configuration as the agent sees it.
type TaskConfig struct {
	Project *Project
}

// taskContext is the agent's state for the running task.
type taskContext struct {
	taskConfig     *TaskConfig
	currentCommand string
	timedOut       bool
	sync.RWMutex
}

func (tc *taskContext) getTaskConfig() *TaskConfig {
	tc.RLock() // heldout:site
	defer tc.RUnlock()
	return tc.taskConfig
}

func (tc *taskContext) setTaskConfig(cfg *TaskConfig) {
	tc.Lock() // heldout:site
	defer tc.Unlock()
	tc.taskConfig = cfg
}

func (tc *taskContext) setCurrentCommand(name string) {
	tc.Lock()
	defer tc.Unlock()
	tc.currentCommand = name
}

func (tc *taskContext) reachTimeOut() {
	tc.Lock()
	defer tc.Unlock()
	tc.timedOut = true
}

// getCallbackTimeout returns the callback timeout for the task.
func (tc *taskContext) getCallbackTimeout() time.Duration {
	tc.RLock() // heldout:site
	defer tc.RUnlock()

	taskConfig := tc.getTaskConfig() // heldout:site
	if taskConfig != nil && taskConfig.Project != nil && taskConfig.Project.CallbackTimeout != 0 {
		return time.Duration(taskConfig.Project.CallbackTimeout) * time.Second
	}
	return defaultCallbackCmdTimeout
}

// Agent runs tasks.
type Agent struct{}

// startTimeoutWatch waits until the timeout getTimeout returns has passed,
// then marks the task timed out and cancels the operation.
func (a *Agent) startTimeoutWatch(ctx context.Context, tc *taskContext, getTimeout func() time.Duration, cancel context.CancelFunc) {
	defer cancel()
	ticker := time.NewTicker(time.Millisecond)
	defer ticker.Stop()
	started := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if time.Since(started) > getTimeout() {
				tc.reachTimeOut()
				return
			}
		}
	}
}

// runCallback runs the timeout handler commands under the callback
// timeout, while the task runner keeps updating the task context.
func (a *Agent) runCallback(tc *taskContext) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.startTimeoutWatch(ctx, tc, tc.getCallbackTimeout, cancel)
	}()
	for i := 0; i < 100; i++ {
		tc.setTaskConfig(&TaskConfig{Project: &Project{CallbackTimeout: i}})
		tc.setCurrentCommand("shell.exec")
	}
	cancel()
	<-done
}

// RunTimeoutHandler runs one task's callback.
func RunTimeoutHandler() {
	a := &Agent{}
	a.runCallback(&taskContext{})
}

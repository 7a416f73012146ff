// Package fixed is the fixed version of lockheld/tiflow_12857 (our own,
// after the expected behaviour): stopWithCause marks the worker
// closed under the lock, closes the task status checker and waits for it
// after releasing the lock, and only then locks again to stop the
// subtasks; an OperateSubTask that got the lock meanwhile sees the worker
// closed and returns.
package fixed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// TaskOp is an operation on a subtask.
type TaskOp int

const (
	TaskOpPause TaskOp = iota
	TaskOpResume
	TaskOpAutoResume
)

// Stage is a subtask's stage.
type Stage int

const (
	StageRunning Stage = iota
	StagePaused
	StageStopped
)

// SubTask is one migration task on this source.
type SubTask struct {
	mu        sync.Mutex
	name      string
	stage     Stage
	resumable bool
}

func (st *SubTask) Stage() (Stage, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.stage, st.resumable
}

func (st *SubTask) setStage(s Stage) {
	st.mu.Lock()
	st.stage = s
	st.mu.Unlock()
}

// SourceWorker runs the subtasks of one upstream source.
type SourceWorker struct {
	sync.RWMutex

	closed            atomic.Bool
	subTasks          map[string]*SubTask
	taskStatusChecker *TaskStatusChecker
}

// NewSourceWorker returns a worker with its status checker started.
func NewSourceWorker(interval time.Duration) *SourceWorker {
	w := &SourceWorker{subTasks: make(map[string]*SubTask)}
	w.taskStatusChecker = NewTaskStatusChecker(interval, w)
	w.taskStatusChecker.Start()
	return w
}

// StartSubTask adds a running subtask.
func (w *SourceWorker) StartSubTask(name string) {
	w.Lock()
	defer w.Unlock()
	w.subTasks[name] = &SubTask{name: name, stage: StageRunning}
}

// getAllSubTaskStatus returns the subtasks' stages.
func (w *SourceWorker) getAllSubTaskStatus() map[string]*SubTask {
	w.RLock()
	defer w.RUnlock()
	out := make(map[string]*SubTask, len(w.subTasks))
	for n, st := range w.subTasks {
		out[n] = st
	}
	return out
}

// OperateSubTask pauses or resumes a subtask.
func (w *SourceWorker) OperateSubTask(name string, op TaskOp) error {
	w.Lock()
	defer w.Unlock()
	if w.closed.Load() {
		return errors.New("worker already closed")
	}
	st, ok := w.subTasks[name]
	if !ok {
		return errors.New("subtask not found")
	}
	switch op {
	case TaskOpPause:
		st.setStage(StagePaused)
	case TaskOpResume, TaskOpAutoResume:
		st.setStage(StageRunning)
	}
	return nil
}

// stopWithCause stops the worker.
func (w *SourceWorker) stopWithCause(cause error) {
	w.Lock()
	if w.closed.Load() {
		w.Unlock()
		return
	}
	w.closed.Store(true)
	checker := w.taskStatusChecker
	w.Unlock()

	// The checker may be waiting for the worker lock to dispatch an
	// auto-resume: wait for it without holding the lock.
	checker.Close()

	w.Lock()
	defer w.Unlock()
	for _, st := range w.subTasks {
		st.setStage(StageStopped)
	}
}

// Stop stops the worker.
func (w *SourceWorker) Stop() { w.stopWithCause(errors.New("worker stopped")) }

// TaskStatusChecker resumes paused subtasks whose errors are resumable.
type TaskStatusChecker struct {
	interval time.Duration
	w        *SourceWorker

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
}

// NewTaskStatusChecker returns a checker for w.
func NewTaskStatusChecker(interval time.Duration, w *SourceWorker) *TaskStatusChecker {
	return &TaskStatusChecker{interval: interval, w: w}
}

// Start runs the check loop.
func (tsc *TaskStatusChecker) Start() {
	tsc.ctx, tsc.cancel = context.WithCancel(context.Background())
	tsc.wg.Add(1)
	go func() {
		defer tsc.wg.Done()
		tsc.run()
	}()
}

// Close stops the check loop and waits for it.
func (tsc *TaskStatusChecker) Close() {
	tsc.closeOnce.Do(func() {
		tsc.cancel()
		tsc.wg.Wait()
	})
}

func (tsc *TaskStatusChecker) run() {
	ticker := time.NewTicker(tsc.interval)
	defer ticker.Stop()
	for {
		select {
		case <-tsc.ctx.Done():
			return
		case <-ticker.C:
			tsc.check()
		}
	}
}

func (tsc *TaskStatusChecker) check() {
	for name, st := range tsc.w.getAllSubTaskStatus() {
		stage, resumable := st.Stage()
		if stage == StagePaused && resumable {
			// ResumeDispatch
			tsc.w.OperateSubTask(name, TaskOpAutoResume)
		}
	}
}

// stopDuringAutoResume stops a worker while its checker resumes a subtask
// paused by a resumable error.
func stopDuringAutoResume() {
	w := NewSourceWorker(time.Millisecond)
	w.StartSubTask("task-1")
	st := w.getAllSubTaskStatus()["task-1"]
	st.mu.Lock()
	st.stage, st.resumable = StagePaused, true
	st.mu.Unlock()

	w.Stop()
}

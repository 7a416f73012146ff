// Package bug is a held-out kernel (issue 14): a DM source worker whose
// shutdown holds the worker's write lock while it closes the task status
// checker and waits for the checker's goroutine, while that goroutine,
// dispatching an automatic resume of a paused subtask, waits for the same
// lock in OperateSubTask.
//
// Upstream: pingcap/tiflow#12857 ("[DM] SourceWorker shutdown can deadlock with task auto-resume")
// Round: 13
//
// Bug: SourceWorker.stopWithCause takes w.Lock (deferred unlock), marks
// the worker closed, calls w.taskStatusChecker.Close, which cancels the
// checker's context and waits on its WaitGroup for the checker goroutine,
// and then closes the subtasks. The checker goroutine, on each tick, reads
// the subtasks' status and, for a paused subtask whose error is
// resumable, calls w.OperateSubTask(name, AutoResume), which takes
// w.Lock. The issue gives the interleaving from code inspection: the
// checker has chosen ResumeDispatch, shutdown takes the write lock, the
// checker blocks in OperateSubTask, and shutdown waits for the checker
// while still holding the lock. The issue was open when we read it; the
// fixed version is ours, following its expected behaviour ("Shutdown
// waits for the checker without holding a lock that the checker needs to
// finish"). Relay, sources and the backoff strategy are reduced.
package bug

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
	w.Lock() // heldout:site
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
	w.Lock() // heldout:site
	defer w.Unlock()
	if w.closed.Load() {
		return
	}
	w.closed.Store(true)

	w.taskStatusChecker.Close() // heldout:site

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
		tsc.wg.Wait() // heldout:site
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
			tsc.w.OperateSubTask(name, TaskOpAutoResume) // heldout:site
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

// Package fixed is the fixed version of lockheld/agola_117: executeTask
// unlocks the running task before returning on the setup error path.
package fixed

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// Phase is an executor task's phase.
type Phase string

const (
	PhaseNotStarted Phase = "notstarted"
	PhaseRunning    Phase = "running"
	PhaseFailed     Phase = "failed"
	PhaseSuccess    Phase = "success"
	PhaseStopped    Phase = "stopped"
)

// ExecutorTask is a task scheduled on this executor.
type ExecutorTask struct {
	ID    string
	Stop  bool
	Phase Phase
	Steps []string
}

// RunserviceClient reports task status to the scheduler.
type RunserviceClient interface {
	SendExecutorTaskStatus(ctx context.Context, et *ExecutorTask) error
}

// Pod runs a task's steps.
type Pod interface {
	Exec(ctx context.Context, step string) error
	Stop(ctx context.Context) error
}

// Driver starts pods.
type Driver interface {
	NewPod(ctx context.Context, taskID string) (Pod, error)
}

type runningTask struct {
	sync.Mutex

	ctx    context.Context
	cancel context.CancelFunc

	et  *ExecutorTask
	pod Pod
}

type runningTasks struct {
	tasks map[string]*runningTask
	m     sync.Mutex
}

func (r *runningTasks) get(id string) (*runningTask, bool) {
	r.m.Lock()
	defer r.m.Unlock()
	rt, ok := r.tasks[id]
	return rt, ok
}

func (r *runningTasks) addIfNotExists(id string, rt *runningTask) bool {
	r.m.Lock()
	defer r.m.Unlock()
	if _, ok := r.tasks[id]; ok {
		return false
	}
	r.tasks[id] = rt
	return true
}

func (r *runningTasks) delete(id string) {
	r.m.Lock()
	defer r.m.Unlock()
	delete(r.tasks, id)
}

func (r *runningTasks) ids() []string {
	r.m.Lock()
	defer r.m.Unlock()
	ids := make([]string, 0, len(r.tasks))
	for id := range r.tasks {
		ids = append(ids, id)
	}
	return ids
}

// Executor runs the tasks the scheduler assigns to it.
type Executor struct {
	client       RunserviceClient
	driver       Driver
	runningTasks *runningTasks
}

// New returns an executor.
func New(client RunserviceClient, driver Driver) *Executor {
	return &Executor{
		client:       client,
		driver:       driver,
		runningTasks: &runningTasks{tasks: map[string]*runningTask{}},
	}
}

func (e *Executor) sendExecutorTaskStatus(ctx context.Context, et *ExecutorTask) error {
	return e.client.SendExecutorTaskStatus(ctx, et)
}

func (e *Executor) setupTask(ctx context.Context, rt *runningTask) error {
	if rt.et.ID == "" {
		return errors.New("empty task id")
	}
	pod, err := e.driver.NewPod(ctx, rt.et.ID)
	if err != nil {
		return err
	}
	rt.pod = pod
	return nil
}

func (e *Executor) executeTask(rt *runningTask) {
	rt.Lock()
	ctx := rt.ctx
	et := rt.et

	et.Phase = PhaseRunning
	if err := e.sendExecutorTaskStatus(ctx, et); err != nil {
		log.Printf("err: %v", err)
	}

	if err := e.setupTask(ctx, rt); err != nil {
		log.Printf("err: %v", err)
		et.Phase = PhaseFailed
		if err := e.sendExecutorTaskStatus(ctx, et); err != nil {
			log.Printf("err: %v", err)
		}
		rt.Unlock()
		return
	}
	rt.Unlock()

	err := e.executeTaskSteps(ctx, rt)

	rt.Lock()
	if err != nil {
		if et.Stop {
			et.Phase = PhaseStopped
		} else {
			et.Phase = PhaseFailed
		}
	} else {
		et.Phase = PhaseSuccess
	}
	if err := e.sendExecutorTaskStatus(ctx, et); err != nil {
		log.Printf("err: %v", err)
	}
	rt.Unlock()
}

func (e *Executor) executeTaskSteps(ctx context.Context, rt *runningTask) error {
	for _, step := range rt.et.Steps {
		if err := rt.pod.Exec(ctx, step); err != nil {
			return err
		}
	}
	return nil
}

// executorTasksStatusSenderLoop sends the status of every running task,
// forgetting the tasks that have finished.
func (e *Executor) executorTasksStatusSenderLoop(ctx context.Context) {
	for {
		for _, id := range e.runningTasks.ids() {
			rt, ok := e.runningTasks.get(id)
			if !ok {
				continue
			}
			rt.Lock()
			if err := e.sendExecutorTaskStatus(ctx, rt.et); err != nil {
				rt.Unlock()
				continue
			}
			if rt.et.Phase == PhaseFailed || rt.et.Phase == PhaseSuccess || rt.et.Phase == PhaseStopped {
				e.runningTasks.delete(id)
				rt.cancel()
			}
			rt.Unlock()
		}

		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// taskUpdater handles a task the scheduler sent: it stops a running task
// when asked to, or starts a new one.
func (e *Executor) taskUpdater(ctx context.Context, et *ExecutorTask) {
	if rt, ok := e.runningTasks.get(et.ID); ok {
		rt.Lock()
		if !rt.et.Stop && et.Stop {
			rt.et.Stop = true
			rt.cancel()
		}
		rt.Unlock()
		return
	}
	if et.Stop || et.Phase != PhaseNotStarted {
		return
	}
	rtCtx, rtCancel := context.WithCancel(ctx)
	rt := &runningTask{ctx: rtCtx, cancel: rtCancel, et: et}
	if !e.runningTasks.addIfNotExists(et.ID, rt) {
		rtCancel()
		return
	}
	go e.executeTask(rt)
}

// Run handles the tasks sent on c and sends their status until ctx is done.
func (e *Executor) Run(ctx context.Context, c <-chan *ExecutorTask) {
	go e.executorTasksStatusSenderLoop(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case et := <-c:
			e.taskUpdater(ctx, et)
		}
	}
}

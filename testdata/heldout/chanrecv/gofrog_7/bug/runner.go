// Package bug is a held-out kernel (issue 14): a bounded task runner whose
// consumer goroutines range over its task queue; in fail-fast mode a failing
// task cancels the runner, and Done, which the producer calls when it has
// added its last task, then skips closing the queue, so every other consumer
// waits on the queue for ever and Run never returns.
//
// Upstream: jfrog/gofrog#7 ("Fix a bug where runner would run forever in case of error in failFast mode")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper chanrecv to tune the analyzers; not a blind measure)
//
// Bug: the PR says the runner "would run forever in case of error in
// failFast mode, because Done() did not close the tasks channel", and that
// the new Done "is identical to old Close()" (which closed the queue). The
// old Done's body is not in the thread; our reading, which the jfrog-cli
// report of the same hang (jfrog/jfrog-cli#121: once cancelled, the
// producer's deferred Done runs "but no one closes the channel tasks, and
// other threads are waiting tasks from it") supports, is that Done closed
// the queue only while the runner was not cancelled. The consumer loop, the
// cancel channel closed once, the drain in Cancel and the errors map keyed
// by task number are upstream's, reduced.
//
// Fix: Done closes the task queue unconditionally (Close was removed).
package bug

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Runner runs tasks on a bounded number of goroutines.
type Runner interface {
	AddTask(TaskFunc) (int, error)
	AddTaskWithError(TaskFunc, OnErrorFunc) (int, error)
	Run()
	Done()
	Cancel()
	Errors() map[int]error
}

// TaskFunc is one unit of work; it gets the id of the goroutine running it.
type TaskFunc func(int) error

// OnErrorFunc is called with a task's error.
type OnErrorFunc func(error)

type task struct {
	run     TaskFunc
	onError OnErrorFunc
	num     uint32
}

type runner struct {
	// Tasks waiting to be executed.
	tasks chan *task
	// Gives each task its number.
	taskID uint32
	// Closed when the runner is cancelled.
	cancel     chan struct{}
	cancelOnce sync.Once
	// Number of consumer goroutines.
	maxParallel int
	// Cancel the runner on the first task error.
	failFast bool
	// Errors keyed by task number.
	errors     map[int]error
	errorsLock sync.Mutex
}

// NewBounedRunner returns a runner with maxParallel consumers whose queue
// holds one task (upstream's spelling).
func NewBounedRunner(maxParallel int, failFast bool) *runner {
	if maxParallel < 1 {
		maxParallel = 1
	}
	return &runner{
		tasks:       make(chan *task, 1),
		cancel:      make(chan struct{}),
		maxParallel: maxParallel,
		failFast:    failFast,
		errors:      make(map[int]error),
	}
}

// AddTask queues t; it fails once the runner is cancelled.
func (r *runner) AddTask(t TaskFunc) (int, error) {
	return r.addTask(t, nil)
}

// AddTaskWithError queues t with an error handler.
func (r *runner) AddTaskWithError(t TaskFunc, onError OnErrorFunc) (int, error) {
	return r.addTask(t, onError)
}

func (r *runner) addTask(t TaskFunc, onError OnErrorFunc) (int, error) {
	next := atomic.AddUint32(&r.taskID, 1)
	tk := &task{run: t, onError: onError, num: next - 1}
	select {
	case <-r.cancel:
		return -1, errors.New("runner stopped")
	default:
		r.tasks <- tk
		return int(tk.num), nil
	}
}

// Run starts the consumers and blocks until they have all returned.
func (r *runner) Run() {
	var wg sync.WaitGroup
	for i := 0; i < r.maxParallel; i++ {
		wg.Add(1)
		go func(threadID int) {
			defer wg.Done()
			for t := range r.tasks { // heldout:site
				e := t.run(threadID)
				if e == nil {
					continue
				}
				if t.onError != nil {
					t.onError(e)
				}
				r.errorsLock.Lock()
				r.errors[int(t.num)] = e
				r.errorsLock.Unlock()
				if r.failFast {
					r.Cancel()
					break
				}
			}
		}(i)
	}
	wg.Wait() // heldout:site
}

// Done tells the runner that no more tasks will be added.
func (r *runner) Done() {
	select {
	case <-r.cancel:
		// Cancel has drained the queue; nothing more to close.
		return // heldout:site
	default:
		close(r.tasks)
	}
}

// Close closes the task queue.
func (r *runner) Close() {
	close(r.tasks)
}

// Cancel stops accepting tasks and drops the queued ones.
func (r *runner) Cancel() {
	r.cancelOnce.Do(func() {
		close(r.cancel)
		for len(r.tasks) > 0 {
			<-r.tasks
		}
	})
}

// Errors returns the task errors keyed by task number.
func (r *runner) Errors() map[int]error {
	return r.errors
}

var _ Runner = (*runner)(nil)

// UploadAll is how a caller such as jfrog-cli drives the runner: a producer
// goroutine adds one task per file and calls Done when it stops adding,
// whether it ran out of files or the runner refused a task.
func UploadAll(files []string, upload func(threadID int, file string) error) map[int]error {
	r := NewBounedRunner(3, true)
	go func() {
		defer r.Done()
		for _, f := range files {
			f := f
			if _, err := r.AddTask(func(threadID int) error { return upload(threadID, f) }); err != nil {
				return
			}
		}
	}()
	r.Run()
	return r.Errors()
}

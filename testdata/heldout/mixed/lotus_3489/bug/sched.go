// Package bug is a held-out kernel (issue 14): a sealing task scheduler
// whose scheduling pass read-locks the worker map and waits on a WaitGroup
// for per-task goroutines that take a worker's window lock, while that
// worker's own goroutine holds the window lock and read-locks the worker map
// behind a pending writer.
//
// Upstream: filecoin-project/lotus#3489 ("sealing sched: Fix deadlock between worker.wndLk / workersLk")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: three goroutines. trySched (the scheduler loop) holds
// sh.workersLk.RLock and waits on wg for one goroutine per queued task; each
// asks the task's selector whether a worker fits, and the selector's
// comparison reads the worker's utilization, which takes worker.wndLk.
// runWorker, the worker's own goroutine, holds worker.wndLk while it takes
// sh.workersLk.RLock to read the worker's state. A third goroutine (here
// the worker watcher disabling a worker whose heartbeat failed) calls
// sh.workersLk.Lock. Go's RWMutex makes new readers wait behind a pending
// writer, so runWorker's RLock waits for the writer, the writer waits for
// trySched's read lock, trySched waits for its task goroutine, and that
// waits for runWorker's wndLk (the thread shows the three stacks).
//
// Fix: runWorker no longer takes workersLk while holding wndLk: it reads
// the worker's state under workersLk first and then takes wndLk. The exact
// reordering is our reading of the PR's description; the window/task
// bookkeeping is reduced to what the three goroutines touch.
package bug

import (
	"context"
	"sync"
	"time"
)

// WorkerID identifies a worker.
type WorkerID int

// workerRequest is a queued sealing task.
type workerRequest struct {
	sector int
	sel    WorkerSelector
}

// WorkerSelector decides which workers can take a task.
type WorkerSelector interface {
	Ok(ctx context.Context, w *workerHandle) bool
	Cmp(ctx context.Context, a, b *workerHandle) bool
}

type schedWindow struct{ todo []*workerRequest }

type workerHandle struct {
	lk     sync.Mutex
	active int

	wndLk         sync.Mutex
	activeWindows []*schedWindow

	enabled bool
}

// utilization counts the work assigned to the worker, including what sits
// in its windows.
func (wh *workerHandle) utilization() float64 {
	wh.lk.Lock()
	u := float64(wh.active)
	wh.lk.Unlock()

	wh.wndLk.Lock() // heldout:site
	for _, w := range wh.activeWindows {
		u += float64(len(w.todo))
	}
	wh.wndLk.Unlock()
	return u
}

// leastUsedSelector accepts enabled workers and prefers the least used.
type leastUsedSelector struct{}

func (leastUsedSelector) Ok(ctx context.Context, w *workerHandle) bool { return true }

func (leastUsedSelector) Cmp(ctx context.Context, a, b *workerHandle) bool {
	return a.utilization() < b.utilization()
}

type scheduler struct {
	workersLk sync.RWMutex
	workers   map[WorkerID]*workerHandle

	schedQueue []*workerRequest
	assigned   map[*workerRequest]WorkerID
}

func newScheduler() *scheduler {
	return &scheduler{workers: map[WorkerID]*workerHandle{}, assigned: map[*workerRequest]WorkerID{}}
}

// trySched assigns queued tasks to workers.
func (sh *scheduler) trySched(ctx context.Context) {
	sh.workersLk.RLock()
	defer sh.workersLk.RUnlock()

	best := make([]WorkerID, len(sh.schedQueue))
	var wg sync.WaitGroup
	wg.Add(len(sh.schedQueue))
	for i := range sh.schedQueue {
		go func(sqi int) {
			defer wg.Done()
			task := sh.schedQueue[sqi]
			var bestW *workerHandle
			for wid, w := range sh.workers {
				if !w.enabled || !task.sel.Ok(ctx, w) {
					continue
				}
				if bestW == nil || task.sel.Cmp(ctx, w, bestW) {
					bestW, best[sqi] = w, wid
				}
			}
		}(i)
	}
	wg.Wait() // heldout:site

	for i, task := range sh.schedQueue {
		sh.assigned[task] = best[i]
	}
	sh.schedQueue = sh.schedQueue[:0]
}

// runWorker is the worker's goroutine: it keeps a scheduling window open.
func (sh *scheduler) runWorker(ctx context.Context, wid WorkerID, w *workerHandle) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}

		w.wndLk.Lock()
		sh.workersLk.RLock() // heldout:site
		enabled := w.enabled
		sh.workersLk.RUnlock()
		if enabled && len(w.activeWindows) == 0 {
			w.activeWindows = append(w.activeWindows, &schedWindow{})
		}
		w.wndLk.Unlock()
	}
}

// disableWorker is called by the worker watcher when a heartbeat fails.
func (sh *scheduler) disableWorker(wid WorkerID) {
	sh.workersLk.Lock() // heldout:site
	if w, ok := sh.workers[wid]; ok {
		w.enabled = false
	}
	sh.workersLk.Unlock()
}

// Run adds the workers, starts their goroutines and the watcher, and
// schedules the tasks until ctx is done.
func Run(ctx context.Context, nworkers int, tasks int, heartbeatFailed <-chan WorkerID) {
	sh := newScheduler()
	var wg sync.WaitGroup
	for i := 0; i < nworkers; i++ {
		w := &workerHandle{enabled: true}
		sh.workers[WorkerID(i)] = w
		wg.Add(1)
		go func(wid WorkerID) {
			defer wg.Done()
			sh.runWorker(ctx, wid, w)
		}(WorkerID(i))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case wid := <-heartbeatFailed:
				sh.disableWorker(wid)
			}
		}
	}()

	for ctx.Err() == nil {
		sh.workersLk.Lock()
		for i := 0; i < tasks; i++ {
			sh.schedQueue = append(sh.schedQueue, &workerRequest{sector: i, sel: leastUsedSelector{}})
		}
		sh.workersLk.Unlock()
		sh.trySched(ctx)
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
}

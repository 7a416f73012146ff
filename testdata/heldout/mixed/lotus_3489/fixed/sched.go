// Package fixed is the fixed version of mixed/lotus_3489: runWorker reads
// the worker's state under workersLk before it takes the window lock, so it
// never waits for workersLk while holding wndLk.
package fixed

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

	wh.wndLk.Lock()
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
	wg.Wait()

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

		sh.workersLk.RLock()
		enabled := w.enabled
		sh.workersLk.RUnlock()

		w.wndLk.Lock()
		if enabled && len(w.activeWindows) == 0 {
			w.activeWindows = append(w.activeWindows, &schedWindow{})
		}
		w.wndLk.Unlock()
	}
}

// disableWorker is called by the worker watcher when a heartbeat fails.
func (sh *scheduler) disableWorker(wid WorkerID) {
	sh.workersLk.Lock()
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

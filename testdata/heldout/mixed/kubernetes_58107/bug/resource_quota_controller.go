// Package bug is a held-out kernel (issue 14): the resource quota
// controller, whose workers take workerLock for reading before they wait
// in queue.Get (a sync.Cond wait) for work; Sync, on a discovery change,
// takes workerLock for writing to pause them. An idle worker on a quiet
// queue keeps its read lock for ever, so Sync never gets the write lock,
// and the pending writer stops every other worker at its next RLock.
//
// Upstream: kubernetes/kubernetes#58107 ("Fix quota controller worker deadlock")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "workers acquire a read lock while idle, making write lock
// acquisition dependent upon the presence of work in the queues. The
// Sync() method blocks on a pending write lock acquisition and won't
// unblock until every existing worker processes one item from their
// queue and releases their read lock. While the Sync() method's lock is
// pending, all new read lock acquisitions will block". The two queues
// (quotas, and quotas missing usage), one worker each, Sync and
// enqueueAll follow resource_quota_controller.go; the client-go work
// queue is reduced to its Get/Add/Done/ShutDown over a sync.Cond, and
// discovery and the quota monitors to a version number.
//
// Fix: workers take the read lock after an item is popped from the queue,
// so idle workers hold nothing and Sync can pause them.
package bug

import "sync"

// queue is a FIFO work queue; Get blocks until an item or shutdown.
type queue struct {
	cond         *sync.Cond
	items        []string
	processing   map[string]bool
	shuttingDown bool
}

func newQueue() *queue {
	return &queue{cond: sync.NewCond(&sync.Mutex{}), processing: map[string]bool{}}
}

// Add queues an item.
func (q *queue) Add(item string) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	if q.shuttingDown {
		return
	}
	q.items = append(q.items, item)
	q.cond.Signal()
}

// Get blocks until there is an item to process.
func (q *queue) Get() (string, bool) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.items) == 0 && !q.shuttingDown {
		q.cond.Wait() // heldout:site
	}
	if len(q.items) == 0 {
		return "", true
	}
	item := q.items[0]
	q.items = q.items[1:]
	q.processing[item] = true
	return item, false
}

// Done marks item as processed.
func (q *queue) Done(item string) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	delete(q.processing, item)
}

// ShutDown makes Get return quit once the queue is empty.
func (q *queue) ShutDown() {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	q.shuttingDown = true
	q.cond.Broadcast()
}

// ResourceQuotaController keeps quota usage up to date.
type ResourceQuotaController struct {
	// quotas that need to be synchronized
	queue *queue
	// quotas missing the initial usage information
	missingUsageQueue *queue
	syncHandler       func(key string) error
	quotas            []string

	// Controls the workers that process quotas: taken for writing to
	// change the monitors, which must all be synced before the workers
	// process quotas.
	workerLock       sync.RWMutex
	monitorResources int
}

func (rq *ResourceQuotaController) worker(q *queue) func() {
	workFunc := func() bool {
		rq.workerLock.RLock() // heldout:site
		defer rq.workerLock.RUnlock()

		key, quit := q.Get()
		if quit {
			return true
		}
		defer q.Done(key)
		rq.syncHandler(key)
		return false
	}
	return func() {
		for {
			if quit := workFunc(); quit {
				return
			}
		}
	}
}

// Sync applies a discovery change: it pauses the workers and resyncs the
// monitors.
func (rq *ResourceQuotaController) Sync(newResources int) {
	if newResources == rq.monitorResources {
		return
	}
	// Ensure workers are paused to avoid processing events before
	// informers have resynced.
	rq.workerLock.Lock() // heldout:site
	defer rq.workerLock.Unlock()
	rq.monitorResources = newResources
}

func (rq *ResourceQuotaController) enqueueAll() {
	for _, key := range rq.quotas {
		rq.queue.Add(key)
	}
}

// Run starts one worker per queue and returns a function that stops them.
func (rq *ResourceQuotaController) Run() (stop func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		rq.worker(rq.queue)()
	}()
	go func() {
		defer wg.Done()
		rq.worker(rq.missingUsageQueue)()
	}()
	return func() {
		rq.queue.ShutDown()
		rq.missingUsageQueue.ShutDown()
		wg.Wait()
	}
}

// ResyncAfterDiscovery runs the controller through a full recalculation
// and a discovery change.
func ResyncAfterDiscovery() {
	rq := &ResourceQuotaController{
		queue:             newQueue(),
		missingUsageQueue: newQueue(),
		syncHandler:       func(string) error { return nil },
		quotas:            []string{"ns1/compute", "ns2/objects"},
	}
	stop := rq.Run()
	rq.enqueueAll()
	rq.Sync(1)
	stop()
}

package futures

import (
	"bytes"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A task is known to the wait-for graph by the context its executor gave
// it. A task that waits with another context (ResultTimeout's, or one made
// from context.Background) is found through the goroutine it runs on:
// ThreadPool workers register theirs here, and Result looks the calling
// goroutine up only when its context names no task and it has been
// blocked for identifyAfter, so the common paths pay nothing. This is bookkeeping inside the package,
// not goroutine-local state offered to users.

// workerSlot is a ThreadPool worker goroutine as the graph sees it.
type workerSlot struct {
	pool *pool
	cur  atomic.Pointer[node] // the task it runs, nil between tasks
}

var (
	workerSlots sync.Map     // goroutine id → *workerSlot
	nWorkers    atomic.Int64 // len(workerSlots): zero skips the look-up
)

// registerWorker records the calling goroutine as a worker of p and
// returns its slot and the function that forgets it.
func registerWorker(p *pool) (*workerSlot, func()) {
	s := &workerSlot{pool: p}
	id := goid()
	workerSlots.Store(id, s)
	nWorkers.Add(1)
	return s, func() {
		workerSlots.Delete(id)
		nWorkers.Add(-1)
	}
}

// currentWorker returns the slot of the calling goroutine if it is a
// ThreadPool worker, else nil.
func currentWorker() *workerSlot {
	if nWorkers.Load() == 0 {
		return nil
	}
	s, _ := workerSlots.Load(goid())
	slot, _ := s.(*workerSlot)
	return slot
}

// currentTask returns the task the calling goroutine runs, if it is a
// ThreadPool worker running one.
func currentTask() *node {
	if s := currentWorker(); s != nil {
		return s.cur.Load()
	}
	return nil
}

// goid returns the calling goroutine's id, read from the header of its
// stack trace ("goroutine 18 [running]:").
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}

// funcPC returns the entry of the function fn, a func value.
func funcPC(fn any) uintptr { return reflect.ValueOf(fn).Pointer() }

// funcName is the name of the function at pc for messages: its package's
// last path element and the function, as "main.waitOnB".
func funcName(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// identifyAfter is how long a wait without a task's context lasts before
// it looks up whether its goroutine is a worker.
const identifyAfter = 200 * time.Microsecond

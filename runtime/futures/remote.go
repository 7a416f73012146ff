package futures

import (
	"context"
	"fmt"
	"sync"

	"github.com/asyncgo/asyncgo/runtime/futures/internal/remote"
)

// remoteExecutor is futures' side of an executor implemented in another
// package on a remote.Scheduler (cluster.Pool embeds the one NewExecutor
// returns): it owns the pool the wait-for graph knows, and hands the calls
// of registered functions to the scheduler.
type remoteExecutor struct {
	pool
	mu sync.Mutex // numbers the futures
	s  remote.Scheduler
}

func init() {
	remote.NewExecutor = func(name string, workers int, s remote.Scheduler) any {
		return &remoteExecutor{
			pool: pool{name: name, max: max(1, workers), blocked: map[*node]bool{}, remote: true},
			s:    s,
		}
	}
	remote.Run = func(ctx context.Context, fn string, n int, args []byte) *remote.Reply {
		return run(ctx, request{Func: fn, N: n, Args: args})
	}
	remote.NextPoolSeq = func() int64 { return poolSeq.Add(1) - 1 }
}

func (e *remoteExecutor) graph() *pool { return &e.pool }

func (e *remoteExecutor) schedule(t task) error {
	r := t.remote
	if r == nil {
		return fmt.Errorf("futures: %s runs only registered functions: use Register and Func.Submit", e.s)
	}
	e.mu.Lock()
	t.job.graphNode().number()
	e.mu.Unlock()
	j := t.job
	return e.s.Schedule(&remote.Call{
		Func: r.name, N: r.n, Args: r.args,
		Finish: r.finish, Fail: j.fail, Cancel: j.cancel, OnDone: j.(Waitable).notify,
	})
}

// Shutdown is the scheduler's: the executor that embeds this one defines
// its own.
func (e *remoteExecutor) Shutdown(wait, cancelFutures bool) error {
	return e.s.Shutdown(wait, cancelFutures)
}

package futures

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrDeadlock is matched (errors.Is) by the *DeadlockError that Result
// returns for a wait that can never finish.
var ErrDeadlock = errors.New("futures: deadlock")

// DeadlockError reports a wait that can never finish, which Python's
// concurrent.futures would leave hanging:
//
//   - a cycle: tasks that wait on each other's futures (the seeds'
//     wait_on_a and wait_on_b), or a task that waits on its own future;
//   - starvation: a task waits on a future still queued in a pool whose
//     workers are all busy waiting, each on work that is itself stuck (a
//     task that submits to its own pool and waits, with one worker).
//
// Deadlocks are found among the tasks of ThreadPools, whichever context
// they pass to Result: the context their executor gave them (or one made
// from it) names the task; otherwise a task that waits on the worker
// goroutine that runs it, with ResultTimeout or another context, is found
// through that goroutine. The wait-for graph is consulted only when Result
// has to block, so a Result on a finished future costs nothing extra. The task whose
// wait would close the deadlock gets the error; returning it unblocks the
// others.
type DeadlockError struct {
	Waiter     string   // the task that was about to wait
	WaiterFunc string   // the function it runs, as "main.waitOnB", if known
	Target     string   // the future it would have waited on
	TargetFunc string   // the function that future runs, if known
	Involved   []string // every future and pool in the deadlock, described
}

// Error names the futures of the deadlock and the functions they run.
func (e *DeadlockError) Error() string {
	return fmt.Sprintf("futures: deadlock: %s waits on %s, which can never finish: %s",
		withFunc(e.Waiter, e.WaiterFunc), withFunc(e.Target, e.TargetFunc), strings.Join(e.Involved, "; "))
}

func withFunc(name, fn string) string {
	if fn == "" {
		return name
	}
	return name + " (" + fn + ")"
}

// Is makes errors.Is(err, ErrDeadlock) true.
func (e *DeadlockError) Is(target error) bool { return target == ErrDeadlock }

// graphMu guards the wait-for graph: node.waitingOn and pool.blocked.
var graphMu sync.Mutex

// node is a future's place in the wait-for graph.
type node struct {
	label   string // given with Name
	seq     uint64 // otherwise the future is named after its pool and seq
	pool    *pool  // the pool that runs its task, nil if none
	running atomic.Bool
	done    atomic.Bool

	waitingOn *node // while its task is blocked in Result

	fnPC   uintptr // the function submitted, for messages
	fnName string  // or its registered name
}

func (n *node) init(label string, p *pool) { n.label, n.pool = label, p }

// number gives an unnamed node its number in its pool; the pool's lock is
// held (an atomic counter here was a hot spot shared by every core).
func (n *node) number() {
	if n.label == "" {
		n.pool.seq++
		n.seq = n.pool.seq
	}
}

// name is the future's name in messages: its Name, or pool#N.
func (n *node) name() string {
	if n.label != "" || n.pool == nil {
		return n.label
	}
	return n.pool.name + "#" + strconv.FormatUint(n.seq, 10)
}
func (n *node) setDone() { n.done.Store(true) }

// fn names the function submitted, or is empty if it is not known.
func (n *node) fn() string {
	if n.fnName != "" {
		return n.fnName
	}
	if n.fnPC != 0 {
		return funcName(n.fnPC)
	}
	return ""
}

// String is the future's name with its function's, "a (main.waitOnB)",
// as the deadlock messages give it.
func (n *node) String() string {
	if fn := n.fn(); fn != "" {
		return n.name() + " (" + fn + ")"
	}
	return n.name()
}

// pool is what the graph knows of an executor that runs tasks in-process.
type pool struct {
	name    string
	max     int
	blocked map[*node]bool // its running tasks blocked in Result
	seq     uint64         // numbers its unnamed futures, under the executor's lock
	remote  bool           // it runs registered functions in worker processes
}

type taskKey struct{}

// taskCtx is the context a task runs with, which identifies it; it lives
// in the future, so it costs no allocation.
type taskCtx struct {
	context.Context
	n *node
}

func (c *taskCtx) Value(key any) any {
	if key == (taskKey{}) {
		return c.n
	}
	return c.Context.Value(key)
}

func taskFrom(ctx context.Context) *node {
	n, _ := ctx.Value(taskKey{}).(*node)
	return n
}

// waitOn records that task w is about to block on t, or, with t nil, that
// it no longer is. It returns a *DeadlockError instead if t can never
// finish once w blocks.
func (w *node) waitOn(t *node) error {
	graphMu.Lock()
	defer graphMu.Unlock()
	w.waitingOn = t
	if w.pool != nil {
		if t == nil {
			delete(w.pool.blocked, w)
		} else {
			w.pool.blocked[w] = true
		}
	}
	if t == nil {
		return nil
	}
	if stuck := stuckFrom(t); stuck != nil {
		err := &DeadlockError{Waiter: w.name(), WaiterFunc: w.fn(), Target: t.name(), TargetFunc: t.fn(), Involved: describe(stuck)}
		w.waitingOn = nil
		if w.pool != nil {
			delete(w.pool.blocked, w)
		}
		return err
	}
	return nil
}

// stuckFrom returns the nodes reachable from t that can never finish, t
// first, or nil if t can finish. graphMu is held.
//
// A node can progress if it is done; if it is running and not waiting; if
// it waits on a node that can progress; or if it is queued in a pool that
// has a worker not blocked, or has a blocked worker that can progress.
// Everything else is stuck: the least fixpoint of "can progress" over the
// nodes reachable from t.
func stuckFrom(t *node) []*node {
	var nodes []*node
	seen := map[*node]bool{}
	var visit func(n *node)
	visit = func(n *node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		nodes = append(nodes, n)
		switch {
		case n.done.Load():
		case n.waitingOn != nil:
			visit(n.waitingOn)
		case !n.running.Load() && n.pool != nil:
			for b := range n.pool.blocked {
				visit(b)
			}
		}
	}
	visit(t)

	progress := map[*node]bool{}
	for changed := true; changed; {
		changed = false
		for _, n := range nodes {
			if progress[n] {
				continue
			}
			ok := false
			switch {
			case n.done.Load():
				ok = true
			case n.waitingOn != nil:
				ok = progress[n.waitingOn]
			case n.running.Load() || n.pool == nil:
				ok = true
			case len(n.pool.blocked) < n.pool.max:
				ok = true
			default:
				for b := range n.pool.blocked {
					ok = ok || progress[b]
				}
			}
			if ok {
				progress[n], changed = true, true
			}
		}
	}
	if progress[t] {
		return nil
	}
	var stuck []*node
	for _, n := range nodes {
		if !progress[n] {
			stuck = append(stuck, n)
		}
	}
	return stuck
}

func describe(stuck []*node) []string {
	var out []string
	var pools []*pool // in order of appearance, so that messages are stable
	for _, n := range stuck {
		switch {
		case n.waitingOn != nil:
			out = append(out, fmt.Sprintf("%s is running and waits on %s", n, n.waitingOn.name()))
		default:
			out = append(out, fmt.Sprintf("%s is queued in %s", n, n.pool.name))
			if !slices.Contains(pools, n.pool) {
				pools = append(pools, n.pool)
			}
		}
	}
	for _, p := range pools {
		var names []string
		for b := range p.blocked {
			names = append(names, b.String())
		}
		slices.Sort(names)
		out = append(out, fmt.Sprintf("all %d workers of %s are blocked: %s", p.max, p.name, strings.Join(names, ", ")))
	}
	return out
}

package aio

import (
	"cmp"
	"slices"
)

// TaskGroup holds tasks that WithTaskGroup waits for: Python's
// asyncio.TaskGroup. Create its tasks with CreateTask and the InGroup
// option, or with its CreateTask method.
type TaskGroup struct {
	parent          *Task
	members         map[*Task]uint64 // the order each was added in
	added           uint64
	errs            []error
	waiter          *fut // done when the last member is
	exiting         bool
	aborting        bool
	finished        bool
	cancelledParent bool // the group cancelled its parent after a failure
}

// WithTaskGroup runs f with a new task group and then waits for every
// task created in the group (Python's async with asyncio.TaskGroup()).
//
// The first task of the group to fail (with an error other than
// cancellation) cancels the other tasks of the group and t itself, so
// that f is interrupted at its current await point; WithTaskGroup then
// withdraws that cancellation of t, waits for the cancelled tasks, and
// returns the errors of the failed tasks, followed by f's own error,
// joined with errors.Join. An error returned by f also cancels the
// group's tasks. If t is cancelled from outside while it waits, the
// group's tasks are cancelled and ErrCancelled is returned once they are
// done, unless a task failed, whose error takes precedence. Tasks added
// once the group is finished or shutting down fail with ErrGroupDone.
//
// The block is a TaskGroupBlock, the operation a lowered async body drives
// (scope.go); a panic leaving f cancels the group's tasks without waiting
// for them.
func WithTaskGroup(t *Task, f func(g *TaskGroup) error) error {
	var op TaskGroupBlock
	op.Start(t)
	defer op.Stop(nil) // a panic: nothing once Exit ran
	op.Exit(t, f(op.Group()))
	for w, s := op.step(t, nil); s; w, s = op.step(t, suspendOn(t, w)) {
	}
	return op.Result()
}

// CreateTask schedules c as a task of the group, like CreateTask with
// InGroup(g), and returns its handle (a *Handle[R] for a
// *Coroutine[R]).
func (g *TaskGroup) CreateTask(c AnyCoroutine, opts ...TaskOption) Waitable {
	return c.spawn(g.parent.loop, append(opts[:len(opts):len(opts)], InGroup(g)))
}

// CreateGroupTask schedules c as a task of the group g, like
// g.CreateTask, and returns its handle with its result type: the typed
// form, as CreateTask is of Loop.CreateTask.
func CreateGroupTask[R any](g *TaskGroup, c *Coroutine[R], opts ...TaskOption) *Handle[R] {
	return newHandle(g.parent.loop, c, append(opts[:len(opts):len(opts)], InGroup(g)))
}

// add makes t a member, unless the group no longer takes tasks.
func (g *TaskGroup) add(t *Task) bool {
	if g.finished || g.aborting || g.exiting && len(g.members) == 0 {
		return false
	}
	g.added++
	g.members[t] = g.added
	t.subscribe(g)
	return true
}

// notify is called when a member is done.
func (g *TaskGroup) notify(f *fut) {
	t := f.ctl.(*Task)
	delete(g.members, t)
	if g.waiter != nil && len(g.members) == 0 && !g.waiter.done() {
		g.waiter.resolve(nil, "")
	}
	if t.state == fCancelled || t.err == nil {
		return
	}
	g.errs = append(g.errs, t.retrieve())
	if g.parent.done() {
		t.loop.logger.Error("aio: task group member failed after its parent task was done", "task", t.Name(), "err", t.err)
		return
	}
	if !g.aborting && !g.cancelledParent {
		g.abort()
		g.cancelledParent = true
		g.parent.cancel()
	}
}

// abort cancels the members, in the order they were added (so that the
// turns they then take do not depend on a map's order).
func (g *TaskGroup) abort() {
	g.aborting = true
	ts := make([]*Task, 0, len(g.members))
	for t := range g.members {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *Task) int { return cmp.Compare(g.members[a], g.members[b]) })
	for _, t := range ts {
		t.cancel()
	}
}

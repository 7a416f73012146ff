//go:build !asyncgo_direct

package rewriteaio

import (
	"errors"
	"fmt"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The changes of the generated code that issue 11's goal for an await of
// a lowered coroutine (<= 50 ns, no allocation beyond its machine) asked
// for were first measured here on hand-edited copies of tasks_asyncgo.go;
// asyncgo rewrite makes all three now, so the copies are gone:
//
//   - P1: a body with no defer statement, scope or range-over-func loop
//     (nothing it could push on its Frame) defers no Frame.Unwind: that
//     Unwind only raises the same panic again, which goes on anyway
//     (rewrite/lower_async.go, mayPush). TestProtoNoUnwindPanics below is
//     its check at the runtime's level; the async corpus's panic_nodefer_*
//     programs check it through the rewriter.
//   - P2: such a body returns its results from Step itself instead of
//     through Frame.R, Frame.E and Frame.Return (rewrite/lower_stmt.go,
//     directReturn).
//   - P3: an await of a call of a lowered async function of the same
//     package keeps the callee's machine in the awaiting one and reuses it
//     (rewrite/lower_reuse.go).

// _agBoomUnwind is the machine the rewriter generated before P1 for a
// body that panics and defers nothing (`panic("boom")`); _agBoomNoUnwind
// is the one it generates now.
type _agBoomUnwind struct {
	_agpc int
	_agf  aio.Frame[int]
}

// Step implements aio.Machine.
func (_agm *_agBoomUnwind) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	defer _agm._agf.Unwind(&_agm._agpc, &_agDone, &_agR, &_agErr)
	panic("boom")
}

type _agBoomNoUnwind struct {
	_agpc int //nolint:unused // as generated
	_agf  aio.Frame[int]
}

// Step implements aio.Machine.
func (_agm *_agBoomNoUnwind) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	panic("boom")
}

// TestProtoNoUnwindPanics: without the deferred Unwind (P1), a panic of a
// body that defers nothing does what it does with it: a task of it fails
// with the same *PanicError value, and awaited inline, by a direct body
// or a lowered one, the panic goes on through the awaiting body with the
// same value for its recover.
func TestProtoNoUnwindPanics(t *testing.T) {
	for _, mk := range []func() aio.Machine[int]{
		func() aio.Machine[int] { return &_agBoomUnwind{} },
		func() aio.Machine[int] { return &_agBoomNoUnwind{} },
	} {
		name := fmt.Sprintf("%T", mk())
		l := aio.NewLoop()
		// As a task.
		h := aio.NewTask(l, aio.FromMachine(mk()))
		// Awaited inline by a direct body that recovers.
		var direct any
		hd := aio.NewTask(l, aio.Async(func(t *aio.Task) (v int, err error) {
			defer func() { direct = recover() }()
			return aio.Await(t, aio.FromMachine(mk()))
		}))
		// Awaited inline by a lowered body (an Awaiter stepped in a
		// machine that recovers, as a generated deferred recover would).
		var lowered any
		var aw aio.Awaiter[int]
		hl := aio.NewTask(l, aio.FromMachine[int](stepMachine(func(t *aio.Task) (v int, err error) {
			defer func() { lowered = recover() }()
			aw.StartMachine(t, mk())
			aw.Step(t, nil)
			return aw.Result()
		})))
		if err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, 0) })); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		var pe *aio.PanicError
		if _, err := h.Result(); !errors.As(err, &pe) || pe.Value != "boom" {
			t.Errorf("%s: task %v; want a *PanicError of boom", name, err)
		}
		if direct != "boom" || lowered != "boom" {
			t.Errorf("%s: the awaiting bodies recovered %v (direct) and %v (lowered); want boom", name, direct, lowered)
		}
		for _, h := range []*aio.Handle[int]{hd, hl} {
			if _, err := h.Result(); err != nil {
				t.Errorf("%s: awaiting task %v; want it to return once it recovered", name, err)
			}
		}
	}
}

// stepMachine is a Machine whose body runs in one step.
type stepMachine func(t *aio.Task) (int, error)

// Step implements aio.Machine.
func (f stepMachine) Step(t *aio.Task, _ error) (aio.Waitable, bool, int, error) {
	v, err := f(t)
	return nil, true, v, err
}

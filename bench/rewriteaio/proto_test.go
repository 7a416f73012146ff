//go:build !asyncgo_direct

package rewriteaio

import (
	"errors"
	"fmt"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Hand-edited copies of the machines asyncgo rewrite generates for Noop
// and AwaitInline (tasks_asyncgo.go), to measure changes of the generated
// code before the rewriter makes them; the benchmarks run beside
// BenchmarkLoweredAwaitInline.
//
//   - P1: a body with no defer statement, scope or range-over-func loop
//     (nothing it could push on its Frame) defers no Frame.Unwind: that
//     Unwind only raises the same panic again, which goes on anyway.
//     The rewriter does it (rewrite/lower_emit.go); TestProtoNoUnwindPanics
//     below is its check at the runtime's level, the async corpus's
//     panic_nodefer_* programs through the rewriter.
//   - P2: such a body returns its results from Step directly instead of
//     through Frame.R, Frame.E and Frame.Return (which with nothing
//     deferred only copies them). The rewriter does half of it: such a
//     Step ends with `return nil, true, _agm._agf.R, _agm._agf.E`, not
//     Frame.Return; its returns still set Frame.R and Frame.E and jump
//     there.
//   - P3: an await of a call of a lowered async function of the same
//     package keeps the callee's machine in the awaiting one and reuses
//     it. The rewriter does it (rewrite/lower_reuse.go).
//
// AwaitReuseLean is the generated AwaitInline with the whole of P2, by
// hand: each return is Step's own.

// _agNoopLean is _agNoop with P1 and P2.
type _agNoopLean struct {
	_agpc int //nolint:unused // as generated: the layout of _agNoop
	_agf  aio.Frame[int]
}

// Step implements aio.Machine.
func (_agm *_agNoopLean) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	return nil, true, 1, nil
}

// _agAwaitReuseLean is _agAwaitInline as generated with the whole of P2:
// its returns and NoopLean's are Step's own.
type _agAwaitReuseLean struct {
	_agpc  int
	_agf   aio.Frame[int]
	n      int
	sum    int
	_agr2  int
	_agi3  int
	_agaw4 aio.Awaiter[int]
	_agc4  *_agNoopLean // the machine of the call of NoopLean awaited by _agaw4, reused
	v      int
	err    error
}

// Step implements aio.Machine.
func (_agm *_agAwaitReuseLean) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	switch _agm._agpc {
	case 1:
		goto _agS1
	}
	_agm.sum = 0
	_agm._agr2 = _agm.n
	_agm._agi3 = 0
_agTop1:
	if _agm._agi3 >= _agm._agr2 {
		goto _agBrk2
	}
	if _agm._agc4 == nil {
		_agm._agc4 = new(_agNoopLean)
	}
	*_agm._agc4 = _agNoopLean{}
	_agm._agaw4.StartMachine(_agT, _agm._agc4)
	_agThrown = nil
_agS1:
	if _agw, _ags := _agm._agaw4.Step(_agT, _agThrown); _ags {
		_agW = _agw
		_agm._agpc = 1
		return
	}
	*_agm._agc4 = _agNoopLean{}
	_agm.v, _agm.err = _agm._agaw4.Result()
	if _agm.err != nil {
		return nil, true, _agm.sum, _agm.err
	}
	_agm.sum += _agm.v
	_agm._agi3++
	goto _agTop1
_agBrk2:
	return nil, true, _agm.sum, nil
}

// AwaitReuseLean is AwaitInline as generated with P2 (see _agAwaitReuseLean).
func AwaitReuseLean(n int) *aio.Coroutine[int] {
	_agm := &_agAwaitReuseLean{n: n}
	return _agm._agf.Coroutine(_agm)
}

// BenchmarkProtoAwaitReuseLean is BenchmarkLoweredAwaitInline with P1,
// P2 and P3.
func BenchmarkProtoAwaitReuseLean(b *testing.B) { runBody(b, AwaitReuseLean) }

// TestProtoAwaits: each prototype awaits its Noop n times, and those
// that reuse the callee's machine allocate nothing per await.
func TestProtoAwaits(t *testing.T) {
	for _, c := range []struct {
		name  string
		mk    func(n int) *aio.Coroutine[int]
		alloc float64 // per await
	}{
		{"ReuseLean", AwaitReuseLean, 0},
	} {
		n1, _ := mallocs(t, c.mk, 1000)
		n2, _ := mallocs(t, c.mk, 2000)
		if got := (n2 - n1) / 1000; got > c.alloc+0.01 {
			t.Errorf("%s: %.2f allocations per await, want %.0f", c.name, got, c.alloc)
		}
	}
}

// _agBoomUnwind is the machine the rewriter generates today for a body
// that panics and defers nothing (`panic("boom")`); _agBoomNoUnwind is it
// with P1.
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

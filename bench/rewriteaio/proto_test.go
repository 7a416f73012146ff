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
// code before the rewriter makes them. Each is the generated code (as it
// was before P3) with the changes named; the benchmarks run beside
// BenchmarkLoweredAwaitInline. P3 is what the rewriter does now
// (rewrite/lower_reuse.go): its prototype alone is gone, AwaitReuseLean
// stays as the measure of P1 and P2 on top of it.
//
//   - P1: a body with no defer statement and no range-over-func loop
//     (nothing it could push on its Frame) defers no Frame.Unwind: that
//     Unwind only raises the same panic again, which goes on anyway.
//   - P2: such a body returns its results from Step directly instead of
//     through Frame.R, Frame.E and Frame.Return (which with nothing
//     deferred only copies them).
//   - P3: an await of a call of a lowered async function of the same
//     package (`aio.Await(t, Noop())`) keeps the callee's machine in a
//     field of the awaiting machine, zeroes and reuses it at each await
//     and starts it with Awaiter.StartMachine: no coroutine object, no
//     allocation after the first. Only where the callee's machine cannot
//     be referred to once the await ended (the callee's body has no
//     function literal and takes no address of its locals or
//     parameters).

// _agNoopNoUnwind is _agNoop with P1.
type _agNoopNoUnwind struct {
	_agpc int //nolint:unused // as generated: the layout of _agNoop
	_agf  aio.Frame[int]
}

// Step implements aio.Machine.
func (_agm *_agNoopNoUnwind) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	_agm._agf.R, _agm._agf.E = 1, nil
	goto _agRet
_agRet:
	_agm._agf.Return(&_agDone, &_agR, &_agErr)
	return
}

// NoopNoUnwind is Noop with P1.
func NoopNoUnwind() *aio.Coroutine[int] {
	_agm := &_agNoopNoUnwind{}
	return _agm._agf.Coroutine(_agm)
}

// _agNoopLean is _agNoop with P1 and P2.
type _agNoopLean struct {
	_agpc int //nolint:unused // as generated: the layout of _agNoop
	_agf  aio.Frame[int]
}

// Step implements aio.Machine.
func (_agm *_agNoopLean) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	return nil, true, 1, nil
}

// NoopLean is Noop with P1 and P2.
func NoopLean() *aio.Coroutine[int] {
	_agm := &_agNoopLean{}
	return _agm._agf.Coroutine(_agm)
}

// _agAwaitNoUnwind is _agAwaitInline awaiting NoopNoUnwind (P1).
type _agAwaitNoUnwind struct {
	_agpc  int
	_agf   aio.Frame[int]
	n      int
	sum    int
	_agr2  int
	_agi3  int
	_agaw4 aio.Awaiter[int]
	v      int
	err    error
}

// Step implements aio.Machine.
func (_agm *_agAwaitNoUnwind) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	defer _agm._agf.Unwind(&_agm._agpc, &_agDone, &_agR, &_agErr)
	_agpc := _agm._agpc
	_agm._agpc = 0
	switch _agpc {
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
	_agm._agaw4.Start(_agT, NoopNoUnwind())
	_agThrown = nil
_agS1:
	if _agw, _ags := _agm._agaw4.Step(_agT, _agThrown); _ags {
		_agW = _agw
		_agm._agpc = 1
		return
	}
	_agm.v, _agm.err = _agm._agaw4.Result()
	if _agm.err != nil {
		{
			_agm._agf.R, _agm._agf.E = _agm.sum, _agm.err
			goto _agRet
		}
	}
	_agm.sum += _agm.v
	_agm._agi3++
	goto _agTop1
_agBrk2:
	_agm._agf.R, _agm._agf.E = _agm.sum, nil
	goto _agRet
_agRet:
	_agm._agf.Return(&_agDone, &_agR, &_agErr)
	return
}

// AwaitNoUnwind is AwaitInline awaiting NoopNoUnwind (P1).
func AwaitNoUnwind(n int) *aio.Coroutine[int] {
	_agm := &_agAwaitNoUnwind{n: n}
	return _agm._agf.Coroutine(_agm)
}

// _agAwaitLean is _agAwaitInline awaiting NoopLean (P1 and P2).
type _agAwaitLean struct {
	_agpc  int
	_agf   aio.Frame[int]
	n      int
	sum    int
	_agr2  int
	_agi3  int
	_agaw4 aio.Awaiter[int]
	v      int
	err    error
}

// Step implements aio.Machine.
func (_agm *_agAwaitLean) Step(_agT *aio.Task, _agThrown error) (_agW aio.Waitable, _agDone bool, _agR int, _agErr error) {
	defer _agm._agf.Unwind(&_agm._agpc, &_agDone, &_agR, &_agErr)
	_agpc := _agm._agpc
	_agm._agpc = 0
	switch _agpc {
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
	_agm._agaw4.Start(_agT, NoopLean())
	_agThrown = nil
_agS1:
	if _agw, _ags := _agm._agaw4.Step(_agT, _agThrown); _ags {
		_agW = _agw
		_agm._agpc = 1
		return
	}
	_agm.v, _agm.err = _agm._agaw4.Result()
	if _agm.err != nil {
		{
			_agm._agf.R, _agm._agf.E = _agm.sum, _agm.err
			goto _agRet
		}
	}
	_agm.sum += _agm.v
	_agm._agi3++
	goto _agTop1
_agBrk2:
	_agm._agf.R, _agm._agf.E = _agm.sum, nil
	goto _agRet
_agRet:
	_agm._agf.Return(&_agDone, &_agR, &_agErr)
	return
}

// AwaitLean is AwaitInline awaiting NoopLean (P1 and P2).
func AwaitLean(n int) *aio.Coroutine[int] {
	_agm := &_agAwaitLean{n: n}
	return _agm._agf.Coroutine(_agm)
}

// _agAwaitReuseLean is _agAwaitInline with P1, P2 and P3: NoopLean's machine reused.
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
	defer _agm._agf.Unwind(&_agm._agpc, &_agDone, &_agR, &_agErr)
	_agpc := _agm._agpc
	_agm._agpc = 0
	switch _agpc {
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
	} else {
		*_agm._agc4 = _agNoopLean{}
	}
	_agm._agaw4.StartMachine(_agT, _agm._agc4)
	_agThrown = nil
_agS1:
	if _agw, _ags := _agm._agaw4.Step(_agT, _agThrown); _ags {
		_agW = _agw
		_agm._agpc = 1
		return
	}
	_agm.v, _agm.err = _agm._agaw4.Result()
	if _agm.err != nil {
		{
			_agm._agf.R, _agm._agf.E = _agm.sum, _agm.err
			goto _agRet
		}
	}
	_agm.sum += _agm.v
	_agm._agi3++
	goto _agTop1
_agBrk2:
	_agm._agf.R, _agm._agf.E = _agm.sum, nil
	goto _agRet
_agRet:
	_agm._agf.Return(&_agDone, &_agR, &_agErr)
	return
}

// AwaitReuseLean is AwaitInline with P1, P2 and P3: NoopLean's machine reused.
func AwaitReuseLean(n int) *aio.Coroutine[int] {
	_agm := &_agAwaitReuseLean{n: n}
	return _agm._agf.Coroutine(_agm)
}

// BenchmarkProtoAwaitNoUnwind is BenchmarkLoweredAwaitInline with P1.
func BenchmarkProtoAwaitNoUnwind(b *testing.B) { runBody(b, AwaitNoUnwind) }

// BenchmarkProtoAwaitLean is BenchmarkLoweredAwaitInline with P1 and P2.
func BenchmarkProtoAwaitLean(b *testing.B) { runBody(b, AwaitLean) }

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
		{"NoUnwind", AwaitNoUnwind, 1},
		{"Lean", AwaitLean, 1},
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

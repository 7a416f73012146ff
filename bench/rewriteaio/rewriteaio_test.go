package rewriteaio

import (
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Each benchmark runs one task whose body does the work b.N times, on a
// new loop: ns/op is per piece of work, and the loop's creation is
// outside the timing.

// BenchmarkLoweredCreateAwait creates a task and awaits it, b.N times, in
// the lowered CreateAwait: asyncio's `await asyncio.create_task(noop())`.
func BenchmarkLoweredCreateAwait(b *testing.B) { runBody(b, CreateAwait) }

// BenchmarkDirectCreateAwait is BenchmarkLoweredCreateAwait in direct mode.
func BenchmarkDirectCreateAwait(b *testing.B) { runBody(b, DirectCreateAwait) }

// BenchmarkLoweredSleep0 switches to the loop and back, b.N times, in the
// lowered Sleep0: asyncio's `await asyncio.sleep(0)`.
func BenchmarkLoweredSleep0(b *testing.B) { runBody(b, Sleep0) }

// BenchmarkDirectSleep0 is BenchmarkLoweredSleep0 in direct mode.
func BenchmarkDirectSleep0(b *testing.B) { runBody(b, DirectSleep0) }

// BenchmarkLoweredAwaitInline awaits the lowered Noop, b.N times, in the
// lowered AwaitInline: Noop's machine runs inside the awaiting task's.
// asyncio's `await noop()`.
func BenchmarkLoweredAwaitInline(b *testing.B) { runBody(b, AwaitInline) }

// BenchmarkDirectAwaitInline is BenchmarkLoweredAwaitInline in direct
// mode: Noop's body is called on the task's stack.
func BenchmarkDirectAwaitInline(b *testing.B) { runBody(b, DirectAwaitInline) }

// BenchmarkLoweredAwaitChain awaits, b.N times, the lowered Pass(2), which
// awaits Pass(1), Pass(0) and Noop in turn: four inline awaits per op,
// each level's callee machine kept by the level above.
func BenchmarkLoweredAwaitChain(b *testing.B) { runBody(b, AwaitChain) }

// BenchmarkDirectAwaitChain is BenchmarkLoweredAwaitChain in direct mode.
func BenchmarkDirectAwaitChain(b *testing.B) { runBody(b, DirectAwaitChain) }

// BenchmarkLoweredNoop makes the lowered Noop's coroutine and closes it,
// unrun: what each await of BenchmarkLoweredAwaitInline allocates before
// the await itself.
func BenchmarkLoweredNoop(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Noop().Close()
	}
}

// runBody runs the coroutine mk(b.N) as a task on a new loop, timing the
// run, and checks that it returns b.N (each piece of work adds 1).
func runBody(b *testing.B, mk func(n int) *aio.Coroutine[int]) {
	b.ReportAllocs()
	l := aio.NewLoop()
	defer l.Close()
	h := aio.NewTask(l, mk(b.N))
	b.ResetTimer()
	err := l.RunUntilComplete(h)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if got, _ := h.Result(); got != b.N {
		b.Fatalf("the body did its work %d times, want %d", got, b.N)
	}
}

// machineShape has the size and pointer layout of the lowered Noop's
// machine (_agNoop: its resume point and its aio.Frame, which holds the
// coroutine object).
type machineShape struct {
	pc int
	f  aio.Frame[int]
}

var machineSink *machineShape

// BenchmarkAllocMachine allocates b.N zeroed objects the size and shape
// of Noop's machine with a plain new, and writes one word of each (as
// making the coroutine does, the first write to the memory): the floor of
// making a lowered coroutine (BenchmarkLoweredNoop), and so of awaiting
// one.
func BenchmarkAllocMachine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m := new(machineShape)
		m.pc = 1
		machineSink = m
	}
}

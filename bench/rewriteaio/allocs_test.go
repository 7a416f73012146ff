package rewriteaio

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TestAwaitInlineAllocs: making a lowered coroutine allocates its machine
// alone (no task, no future, no coroutine object of its own: it lives in
// the machine), and a lowered body awaiting a call of a lowered async
// function of its package keeps the callee's machine and reuses it, so
// that after the first await an await allocates nothing (issue 11's goal).
func TestAwaitInlineAllocs(t *testing.T) {
	making := testing.AllocsPerRun(100, func() { Noop().Close() })
	if making != 1 {
		t.Errorf("making a lowered coroutine allocates %.0f times; want 1, its machine", making)
	}
	// Two runs whose only difference is 1000 more awaits.
	n1, b1 := mallocs(t, AwaitInline, 1000)
	n2, b2 := mallocs(t, AwaitInline, 2000)
	perAwait, bytesPerAwait := (n2-n1)/1000, (b2-b1)/1000
	t.Logf("per lowered await: %.2f allocations, %.0f bytes", perAwait, bytesPerAwait)
	if perAwait > 0.01 || bytesPerAwait > 1 {
		t.Errorf("a lowered await allocates %.2f times, %.0f bytes; want nothing (the callee's machine is kept)", perAwait, bytesPerAwait)
	}
}

// TestAwaitChainAllocs: a chain of awaits of lowered calls (AwaitChain
// awaits Pass(2), which awaits Pass(1), ... Noop) allocates nothing per
// await after the first either: each machine keeps its callee's, and
// readying a machine for another await keeps the one it keeps.
func TestAwaitChainAllocs(t *testing.T) {
	n1, b1 := mallocs(t, AwaitChain, 1000)
	n2, b2 := mallocs(t, AwaitChain, 2000)
	if per, bytes := (n2-n1)/1000, (b2-b1)/1000; per > 0.01 || bytes > 1 {
		t.Errorf("an await of a chain of 4 lowered awaits allocates %.2f times, %.0f bytes; want nothing", per, bytes)
	}
	// Direct mode's chain gives the same sum.
	l := aio.NewLoop()
	defer l.Close()
	h := aio.NewTask(l, DirectAwaitChain(10))
	if err := l.RunUntilComplete(h); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Result(); got != 10 {
		t.Errorf("direct chain: %d, want 10", got)
	}
}

// TestMachineSizeClass: the machine of a lowered body with no locals and
// an int result (Noop's: its resume point, results, rare-part pointer and
// coroutine object) fits Go's 64-byte size class, so that making one,
// and so each inline await, allocates 64 bytes, not 80.
func TestMachineSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(_agNoop{}); n > 64 {
		t.Errorf("Noop's machine is %d bytes; want at most 64", n)
	}
}

// mallocs counts the allocations, and their bytes, of running mk(n) as a
// task of a new loop.
func mallocs(t *testing.T, mk func(n int) *aio.Coroutine[int], n int) (count, bytes float64) {
	t.Helper()
	l := aio.NewLoop()
	defer l.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h := aio.NewTask(l, mk(n))
	if err := l.RunUntilComplete(h); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got, _ := h.Result(); got != n {
		t.Fatalf("%d awaits, want %d", got, n)
	}
	return float64(after.Mallocs - before.Mallocs), float64(after.TotalAlloc - before.TotalAlloc)
}

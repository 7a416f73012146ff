package rewriteaio

import (
	"runtime"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TestAwaitInlineAllocs: awaiting a lowered coroutine allocates nothing
// beyond what making the coroutine does (the goal: no task, no future,
// nothing but the callee's machine).
func TestAwaitInlineAllocs(t *testing.T) {
	making := testing.AllocsPerRun(100, func() { Noop().Close() })
	// Two runs whose only difference is 1000 more awaits.
	perAwait := (mallocs(t, AwaitInline, 2000) - mallocs(t, AwaitInline, 1000)) / 1000
	t.Logf("per lowered await: %.2f allocations; making the coroutine: %.0f", perAwait, making)
	if perAwait > making+0.01 {
		t.Errorf("a lowered await allocates %.2f times, making its coroutine %.0f: the await itself allocates", perAwait, making)
	}
}

// mallocs counts the allocations of running mk(n) as a task of a new loop.
func mallocs(t *testing.T, mk func(n int) *aio.Coroutine[int], n int) float64 {
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
	return float64(after.Mallocs - before.Mallocs)
}

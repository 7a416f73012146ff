package rewrite

import (
	"iter"
	"runtime"
	"testing"

	"github.com/asyncgo/asyncgo/bench/internal/fresh"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Each benchmark resumes a suspended generator b.N times.

func BenchmarkLoweredNext(b *testing.B) {
	g := Counter()
	defer g.Close()
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}

func BenchmarkLoweredSend(b *testing.B) {
	g := Averager()
	defer g.Close()
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}

func BenchmarkDirectNext(b *testing.B) {
	g := DirectCounter()
	defer g.Close()
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}

func BenchmarkDirectSend(b *testing.B) {
	g := DirectAverager()
	defer g.Close()
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}

// BenchmarkLoweredSummerSend sends to the lowered Summer: the body every
// Send baseline in bench/coro runs.
func BenchmarkLoweredSummerSend(b *testing.B) { summerSend(b, Summer()) }

// BenchmarkDirectSummerSend is BenchmarkLoweredSummerSend in direct mode.
func BenchmarkDirectSummerSend(b *testing.B) { summerSend(b, DirectSummer()) }

// summerSend sends 1 to the started g, b.N times.
func summerSend(b *testing.B, g *coro.Generator[int, int, int]) {
	defer g.Close()
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}

func BenchmarkHandWrittenSend(b *testing.B) {
	g := HandAverager()
	defer g.Close()
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}

func BenchmarkIterPullNext(b *testing.B) {
	next, stop := iter.Pull(func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	})
	defer stop()
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}

func BenchmarkPushIterator(b *testing.B) {
	seq := func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	}
	b.ReportAllocs()
	n := b.N
	sum := 0
	b.ResetTimer()
	for v := range seq {
		sum += v
		n--
		if n == 0 {
			break
		}
	}
	_ = sum
}

// BenchmarkLoweredCreate makes, starts and closes a lowered averager.
func BenchmarkLoweredCreate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		g := Averager()
		g.Next()
		g.Close()
	}
}

// BenchmarkDirectCreate is the same in direct mode.
func BenchmarkDirectCreate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		g := DirectAverager()
		g.Next()
		g.Close()
	}
}

// BenchmarkLoweredOnceCreate makes, starts and closes a lowered Once: the
// one-value generator of bench/coro's BenchmarkCoroCreate.
func BenchmarkLoweredOnceCreate(b *testing.B) { onceCreate(b, Once) }

// BenchmarkDirectOnceCreate is BenchmarkLoweredOnceCreate in direct mode.
func BenchmarkDirectOnceCreate(b *testing.B) { onceCreate(b, DirectOnce) }

func onceCreate(b *testing.B, mk func() *coro.Generator[int, int, int]) {
	b.ReportAllocs()
	for b.Loop() {
		g := mk()
		g.Next()
		g.Close()
	}
}

// suspendN is how many generators the Suspended benchmarks hold at once.
const suspendN = 10_000

// BenchmarkLoweredSuspended10k suspends 10,000 lowered Summers after a
// send and reports the memory each holds (heap and stacks) as bytes/gen;
// ns/op is the time to make and start them all.
func BenchmarkLoweredSuspended10k(b *testing.B) { suspendedGens(b, Summer) }

// BenchmarkDirectSuspended10k is BenchmarkLoweredSuspended10k in direct
// mode: a goroutine and its stack per generator.
func BenchmarkDirectSuspended10k(b *testing.B) { suspendedGens(b, DirectSummer) }

// BenchmarkIterPullSuspended10k is BenchmarkLoweredSuspended10k with
// iter.Pull summers.
func BenchmarkIterPullSuspended10k(b *testing.B) {
	var sent int
	nexts := make([]func() (int, bool), suspendN)
	stops := make([]func(), suspendN)
	suspended(b, func(i int) {
		nexts[i], stops[i] = iter.Pull(func(yield func(int) bool) {
			total := 0
			for yield(total) {
				total += sent
			}
		})
		nexts[i]()
		sent = 1
		nexts[i]()
	}, func() {
		for _, stop := range stops {
			stop()
		}
		clear(nexts)
		clear(stops)
	})
}

// suspendedGens runs suspended on summers made by mk.
func suspendedGens(b *testing.B, mk func() *coro.Generator[int, int, int]) {
	gs := make([]*coro.Generator[int, int, int], suspendN)
	suspended(b, func(i int) {
		gs[i] = mk()
		gs[i].Next()
		gs[i].Send(1)
	}, func() {
		for _, g := range gs {
			g.Close()
		}
		clear(gs)
	})
}

// suspended calls start(i) for each of suspendN generators, which makes
// generator i, starts it and sends it 1, and reports the memory they hold
// per generator, measured in a new process (see package fresh); then
// stopAll stops them and lets them go, outside the timing.
func suspended(b *testing.B, start func(i int), stopAll func()) {
	var per float64
	for range b.N {
		before := memInUse()
		for i := range suspendN {
			start(i)
		}
		per = float64(int64(memInUse())-int64(before)) / suspendN
		b.StopTimer()
		stopAll()
		b.StartTimer()
	}
	b.ReportMetric(fresh.Metric(b, "bytes/gen", per), "bytes/gen")
}

// memInUse is the memory of the heap's live objects and the goroutine
// stacks, after a collection.
func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// suspendedBytes measures the heap held per suspended generator.
func suspendedBytes(n int, mk func() *coro.Generator[float64, float64, Result]) float64 {
	gs := make([]*coro.Generator[float64, float64, Result], n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range gs {
		gs[i] = mk()
		gs[i].Next()
		gs[i].Send(1)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	for _, g := range gs {
		g.Close()
	}
	return per
}

// TestSuspendedSize checks the goal of at most 256 bytes per suspended
// lowered averager, and reports direct mode's footprint for comparison.
func TestSuspendedSize(t *testing.T) {
	lowered := suspendedBytes(2000, Averager)
	direct := suspendedBytes(200, DirectAverager)
	t.Logf("bytes per suspended averager: lowered %.0f, direct %.0f (heap only; direct also holds a goroutine stack)", lowered, direct)
	if lowered > 256 {
		t.Errorf("a suspended lowered averager holds %.0f bytes, want <= 256", lowered)
	}
}

// TestAllocs: a lowered resumption allocates nothing.
func TestAllocs(t *testing.T) {
	g := Averager()
	defer g.Close()
	g.Next()
	if n := testing.AllocsPerRun(100, func() { g.Send(1) }); n != 0 {
		t.Errorf("Send allocates %v times", n)
	}
}

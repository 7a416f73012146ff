package aio

import (
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/bench/internal/fresh"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

// run runs body as the main task of a new loop.
func run(b *testing.B, body func(t *aio.Task) error) {
	b.Helper()
	if _, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, body(t) })); err != nil {
		b.Fatal(err)
	}
}

func noop() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return 1, nil })
}

// BenchmarkTaskCreateAwait creates a task and awaits it, b.N times:
// asyncio's `await asyncio.create_task(noop())`.
func BenchmarkTaskCreateAwait(b *testing.B) { createAwait(b, noop) }

// createAwait creates a task of a coroutine made by mk and awaits it, b.N
// times.
func createAwait(b *testing.B, mk func() *aio.Coroutine[int]) {
	b.ReportAllocs()
	run(b, func(t *aio.Task) error {
		b.ResetTimer()
		for range b.N {
			if _, err := aio.Await(t, aio.CreateTask(t, mk())); err != nil {
				return err
			}
		}
		b.StopTimer()
		return nil
	})
}

// BenchmarkTaskGather creates tasks 1000 at a time and gathers them:
// asyncio.gather(*(noop() for _ in range(1000))); ns/op is per task.
func BenchmarkTaskGather(b *testing.B) {
	b.ReportAllocs()
	run(b, func(t *aio.Task) error {
		hs := make([]aio.Awaitable[int], 1000)
		b.ResetTimer()
		for n := b.N; n > 0; n -= len(hs) {
			batch := hs[:min(n, len(hs))]
			for i := range batch {
				batch[i] = aio.CreateTask(t, noop())
			}
			if _, err := aio.Gather(t, batch...); err != nil {
				return err
			}
		}
		b.StopTimer()
		return nil
	})
}

// BenchmarkSleep0 is one switch from a task to the loop and back:
// asyncio's `await asyncio.sleep(0)`.
func BenchmarkSleep0(b *testing.B) {
	b.ReportAllocs()
	run(b, func(t *aio.Task) error {
		b.ResetTimer()
		for range b.N {
			if err := aio.Sleep(t, 0); err != nil {
				return err
			}
		}
		b.StopTimer()
		return nil
	})
}

// BenchmarkSleep0PingPong is two tasks taking turns with Sleep(0); ns/op
// is per switch.
func BenchmarkSleep0PingPong(b *testing.B) {
	b.ReportAllocs()
	run(b, func(t *aio.Task) error {
		other := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			for range b.N / 2 {
				if err := aio.Sleep(t, 0); err != nil {
					return 0, err
				}
			}
			return 0, nil
		}))
		b.ResetTimer()
		for range b.N / 2 {
			if err := aio.Sleep(t, 0); err != nil {
				return err
			}
		}
		_, err := aio.Await(t, other)
		b.StopTimer()
		return err
	})
}

// BenchmarkSleepingTasks100k suspends 100,000 tasks in Sleep at once and
// reports the memory each takes (heap and stacks) as bytes/task; ns/op is
// the time to create and start them all.
func BenchmarkSleepingTasks100k(b *testing.B) {
	sleepingTasks(b, func() *aio.Coroutine[int] {
		return aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, time.Hour) })
	})
}

// sleepingTasks starts 100,000 tasks of coroutines made by mk, which
// sleep an hour, and reports the memory each takes as bytes/task, measured
// in a new process (see package fresh).
func sleepingTasks(b *testing.B, mk func() *aio.Coroutine[int]) {
	const n = 100_000
	var perTask float64
	for range b.N {
		run(b, func(t *aio.Task) error {
			hs := make([]*aio.Handle[int], n)
			before := memInUse()
			for i := range hs {
				hs[i] = aio.CreateTask(t, mk())
			}
			if err := aio.Sleep(t, 0); err != nil { // every task starts and suspends
				return err
			}
			perTask = float64(memInUse()-before) / n
			b.StopTimer()
			for _, h := range hs {
				h.Cancel()
			}
			for _, h := range hs {
				aio.Await(t, h)
			}
			b.StartTimer()
			return nil
		})
	}
	b.ReportMetric(fresh.Metric(b, "bytes/task", perTask), "bytes/task")
}

// memInUse is the memory of the heap's live objects and the goroutine
// stacks, after a collection.
func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// Go baselines: the same work with plain goroutines, no loop.

// BenchmarkGoroutineSpawnWait starts a goroutine and waits for its result
// on a channel, b.N times: TaskCreateAwait's work.
func BenchmarkGoroutineSpawnWait(b *testing.B) {
	ch := make(chan int)
	b.ReportAllocs()
	for b.Loop() {
		go func() { ch <- 1 }()
		<-ch
	}
}

// BenchmarkGosched is one trip through Go's scheduler and back with
// runtime.Gosched: Sleep0's work.
func BenchmarkGosched(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		runtime.Gosched()
	}
}

// BenchmarkBlockedGoroutines100k blocks 100,000 goroutines on a channel
// at once and reports the memory each takes (heap and stacks) as
// bytes/task, measured in a new process (see package fresh):
// SleepingTasks100k's figure for raw goroutines.
func BenchmarkBlockedGoroutines100k(b *testing.B) {
	const n = 100_000
	var perTask float64
	for range b.N {
		release := make(chan struct{})
		var started, ended sync.WaitGroup
		started.Add(n)
		ended.Add(n)
		before := memInUse()
		for range n {
			go func() {
				defer ended.Done()
				started.Done()
				<-release
			}()
		}
		started.Wait()
		perTask = float64(memInUse()-before) / n
		b.StopTimer()
		close(release)
		ended.Wait()
		b.StartTimer()
	}
	b.ReportMetric(fresh.Metric(b, "bytes/task", perTask), "bytes/task")
}

// A lowered task: the rewriter's state machine, run on the loop's own
// goroutine.

type noopMachine struct{}

func (noopMachine) Step(*aio.Task, error) (aio.Waitable, bool, int, error) { return nil, true, 1, nil }

// BenchmarkMachineTaskCreateAwait is BenchmarkTaskCreateAwait with a
// lowered task body.
func BenchmarkMachineTaskCreateAwait(b *testing.B) {
	createAwait(b, func() *aio.Coroutine[int] { return aio.FromMachine[int](noopMachine{}) })
}

// yielder yields n times (Sleep(0) in a lowered body), then returns.
type yielder struct{ n int }

func (y *yielder) Step(*aio.Task, error) (aio.Waitable, bool, int, error) {
	if y.n == 0 {
		return nil, true, 0, nil
	}
	y.n--
	return nil, false, 0, nil
}

// sleeperMachine sleeps an hour, suspended on an After future.
type sleeperMachine struct{ after *aio.Future[struct{}] }

func (m *sleeperMachine) Step(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
	if m.after == nil && thrown == nil {
		m.after = aio.After(t.Loop(), time.Hour)
		return m.after, false, 0, nil
	}
	if thrown != nil {
		return nil, true, 0, thrown
	}
	_, err := m.after.Result()
	return nil, true, 0, err
}

// BenchmarkMachineSleepingTasks100k is BenchmarkSleepingTasks100k with
// lowered task bodies: no goroutine and no stack per task.
func BenchmarkMachineSleepingTasks100k(b *testing.B) {
	sleepingTasks(b, func() *aio.Coroutine[int] { return aio.FromMachine[int](&sleeperMachine{}) })
}

// BenchmarkMachineSleep0 is BenchmarkSleep0 in a lowered task.
func BenchmarkMachineSleep0(b *testing.B) {
	b.ReportAllocs()
	l := aio.NewLoop()
	defer l.Close()
	h := aio.NewTask(l, aio.FromMachine[int](&yielder{b.N}))
	b.ResetTimer()
	if err := l.RunUntilComplete(h); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAsync makes a coroutine object (and closes it, unrun).
func BenchmarkAsync(b *testing.B) { makeCoroutines(b) }

// BenchmarkAsyncTracked is BenchmarkAsync with TrackCoroutines on: the
// price of the never-awaited report (the caller's place and a cleanup).
func BenchmarkAsyncTracked(b *testing.B) {
	defer aio.TrackCoroutines(aio.TrackCoroutines(slog.New(slog.DiscardHandler)))
	makeCoroutines(b)
}

func makeCoroutines(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		noop().Close()
	}
}

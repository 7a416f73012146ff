package rewriteaio

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/bench/internal/fresh"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The Sleepers benchmarks hold many tasks asleep at once and report the
// process's peak resident memory, measured in a new process of the test
// binary (see package fresh) that does nothing else:
//
//	measured-peak-MiB the process's peak RSS (VmHWM), in MiB
//	rss-bytes/task    the peak RSS over the RSS before the first task, per task
//	tasks             how many tasks were asleep at once
//	peak-MiB          the peak RSS for the full count: measured-peak-MiB, or
//	                  for a reduced count the RSS before the first task +
//	                  rss-bytes/task × the full count (extrapolated)
//	start-ns/task     the time to create and start them all, per task
//
// The full count: ASYNCGO_SLEEPERS, or 10,000 (quick, for make test); make
// bench sets 1,000,000. Direct mode and goroutines take a tenth of it when
// it is over 100,000, to stay within the machine's memory (a stack each).
// bench/rewriteaio/sleepers.py measures CPython's asyncio the same way.

// sleepersEnv sets how many tasks the Sleepers benchmarks hold asleep.
const sleepersEnv = "ASYNCGO_SLEEPERS"

// sleepers is the number of tasks to hold asleep, full; n is that of this
// benchmark, reduced for the modes that need a stack per task.
func sleepers(b *testing.B, reduced bool) (n, full int) {
	full = 10_000
	if s := os.Getenv(sleepersEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("%s=%q: want a positive number of tasks", sleepersEnv, s)
		}
		full = v
	}
	n = full
	if reduced && n > 100_000 {
		n /= 10
	}
	return n, full
}

// BenchmarkLoweredSleepers holds lowered Sleeper tasks asleep at once.
func BenchmarkLoweredSleepers(b *testing.B) {
	n, full := sleepers(b, false)
	sleepersRSS(b, n, full, Sleeper)
}

// BenchmarkDirectSleepers is BenchmarkLoweredSleepers in direct mode: a
// goroutine and its stack per task.
func BenchmarkDirectSleepers(b *testing.B) {
	n, full := sleepers(b, true)
	sleepersRSS(b, n, full, DirectSleeper)
}

// BenchmarkGoroutineSleepers is the Go baseline: goroutines asleep in
// time.Sleep, no loop.
func BenchmarkGoroutineSleepers(b *testing.B) {
	n, full := sleepers(b, true)
	report(b, n, full, func() func() {
		var started sync.WaitGroup
		started.Add(n)
		wake := make(chan struct{})
		for range n {
			go func() {
				started.Done()
				select {
				case <-time.After(time.Hour):
				case <-wake:
				}
			}()
		}
		started.Wait()
		return func() { close(wake) }
	})
}

// sleepersRSS starts n tasks of mk(time.Hour) on a loop, lets each run to
// its Sleep, and reports the memory figures.
func sleepersRSS(b *testing.B, n, full int, mk func(time.Duration) *aio.Coroutine[int]) {
	report(b, n, full, func() func() {
		l := aio.NewLoop()
		main := aio.Async(func(t *aio.Task) (int, error) {
			hs := make([]*aio.Handle[int], n)
			for i := range hs {
				hs[i] = aio.CreateTask(t, mk(time.Hour))
			}
			if err := aio.Sleep(t, 0); err != nil { // each task runs to its Sleep
				return 0, err
			}
			asleep := 0
			for _, h := range hs {
				if !h.Done() {
					asleep++
				}
			}
			return asleep, nil
		})
		h := aio.NewTask(l, main)
		if err := l.RunUntilComplete(h); err != nil {
			b.Fatal(err)
		}
		if asleep, _ := h.Result(); asleep != n {
			b.Fatalf("%d of %d tasks asleep", asleep, n)
		}
		return func() {
			// Checked after the peak is read: AllTasks allocates.
			if tasks := len(aio.AllTasks(l)); tasks != n {
				b.Fatalf("%d tasks pending, want %d", tasks, n)
			}
			l.Close() // unwinds the sleepers
		}
	})
}

// report runs start, which leaves n tasks asleep, in a new process, and
// reports the peak RSS figures it measured there, extrapolated to full
// tasks; then start's result lets the tasks go.
func report(b *testing.B, n, full int, start func() (stop func())) {
	b.Helper()
	m := map[string]float64{"peak-MiB": 0, "measured-peak-MiB": 0, "rss-bytes/task": 0, "tasks": 0, "start-ns/task": 0}
	if fresh.Child() {
		runtime.GC()
		debug.FreeOSMemory()
		before := procStatus(b, "VmRSS")
		begin := time.Now()
		stop := start()
		took := time.Since(begin)
		peak := procStatus(b, "VmHWM")
		stop()
		perTask := float64(peak-before) / float64(n)
		atFull := float64(peak)
		if n < full {
			atFull = float64(before) + perTask*float64(full)
		}
		m = map[string]float64{
			"peak-MiB":          atFull / (1 << 20),
			"measured-peak-MiB": float64(peak) / (1 << 20),
			"rss-bytes/task":    perTask,
			"tasks":             float64(n),
			"start-ns/task":     float64(took.Nanoseconds()) / float64(n),
		}
	}
	for unit, v := range fresh.Metrics(b, m) {
		b.ReportMetric(v, unit)
	}
}

// procStatus reads a memory figure of /proc/self/status, in bytes.
func procStatus(b *testing.B, key string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("peak RSS needs /proc/self/status: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var kb int64
		if _, err := fmt.Sscanf(sc.Text(), key+": %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/self/status", key)
	return 0
}

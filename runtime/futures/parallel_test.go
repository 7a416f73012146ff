package futures_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// rendezvous makes n works wait for each other, failing the test if they
// do not all arrive within the deadline: it proves that n works run at
// the same time.
type rendezvous struct {
	t       *testing.T
	mu      sync.Mutex
	n, here int
	all     chan struct{}
}

func newRendezvous(t *testing.T, n int) *rendezvous {
	return &rendezvous{t: t, n: n, all: make(chan struct{})}
}

func (r *rendezvous) arrive() {
	r.mu.Lock()
	r.here++
	if r.here == r.n {
		close(r.all)
	}
	r.mu.Unlock()
	select {
	case <-r.all:
	case <-time.After(10 * time.Second):
		r.t.Errorf("only %d of %d works ran at the same time", r.here, r.n)
	}
}

func TestParallelSliceRunsConcurrentlyAndYieldsInOrder(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	in := []int{5, 3, 8, 1, 9, 2, 7}
	meet := newRendezvous(t, 2)
	var got []string
	for i, sq := range futures.ParallelSlice(pool, in, func(i, x int) int {
		if i < 2 {
			meet.arrive() // the first two items run at once
		}
		return x * x
	}) {
		got = append(got, fmt.Sprint(i, ":", sq))
	}
	want := []string{"0:25", "1:9", "2:64", "3:1", "4:81", "5:4", "6:49"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Results come back in iteration order whatever order the works finish in.
func TestParallelSliceOrderDespiteFinishOrder(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(4))
	in := []int{40, 30, 20, 10, 0}
	var got []int
	for _, v := range futures.ParallelSlice(pool, in, func(_ int, ms int) int {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return ms
	}) {
		got = append(got, v)
	}
	if !slices.Equal(got, in) {
		t.Errorf("got %v, want %v", got, in)
	}
}

// The error exit: the body returns at the first error, in iteration order;
// items past the window are never started, and no work runs after the
// loop is over.
func TestParallelSliceFirstErrorStopsTheLoop(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	in := make([]int, 1000)
	var started atomic.Int64
	var over atomic.Bool
	errBad := errors.New("bad item")
	run := func() (int, error) {
		sum := 0
		for i, r := range futures.ParallelSlice(pool, in, func(i, _ int) error {
			if over.Load() {
				t.Errorf("work %d ran after the loop was over", i)
			}
			started.Add(1)
			if i == 3 || i == 5 {
				return fmt.Errorf("item %d: %w", i, errBad)
			}
			return nil
		}) {
			if r != nil {
				return sum, r
			}
			sum += i
		}
		return sum, nil
	}
	sum, err := run()
	over.Store(true)
	if err == nil || err.Error() != "item 3: bad item" || sum != 0+1+2 {
		t.Errorf("got %d, %v; want 3, item 3: bad item", sum, err)
	}
	// 2 workers, a window of 4 per worker: the loop never got far past 3.
	if n := started.Load(); n > 4+8+1 {
		t.Errorf("%d works started; the loop should have stopped near item 3", n)
	}
	time.Sleep(20 * time.Millisecond) // a straggler would show here
}

// A panic in a work reaches the caller at its iteration, after the earlier
// iterations' bodies ran, with its value, as the sequential loop panics.
func TestParallelSliceWorkPanicAtItsIteration(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	var bodies []int
	func() {
		defer func() {
			if p := recover(); p != "boom at 4" {
				t.Errorf("recovered %v, want boom at 4", p)
			}
		}()
		for i := range futures.ParallelSlice(pool, make([]int, 50), func(i, _ int) int {
			if i == 4 {
				panic(fmt.Sprint("boom at ", i))
			}
			return i
		}) {
			bodies = append(bodies, i)
		}
	}()
	if !slices.Equal(bodies, []int{0, 1, 2, 3}) {
		t.Errorf("bodies ran for %v, want [0 1 2 3]", bodies)
	}
}

// A panic in the loop body ends the loop like break: the runners stop.
func TestParallelBodyPanicStopsRunners(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	var running atomic.Int64
	func() {
		defer func() { recover() }()
		for i := range futures.ParallelInt(pool, 1000, func(i int) int {
			running.Add(1)
			defer running.Add(-1)
			time.Sleep(time.Millisecond)
			return i
		}) {
			if i == 2 {
				panic("body")
			}
		}
	}()
	if n := running.Load(); n != 0 {
		t.Errorf("%d works still running after the loop panicked", n)
	}
}

func TestParallelIntTypesAndEmpty(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	type small int8
	var got []small
	for i, d := range futures.ParallelInt(pool, small(5), func(i small) small { return 2 * i }) {
		if d != 2*i {
			t.Errorf("work(%d) = %d", i, d)
		}
		got = append(got, i)
	}
	if !slices.Equal(got, []small{0, 1, 2, 3, 4}) {
		t.Errorf("got %v", got)
	}
	for range futures.ParallelInt(pool, -3, func(int) int { t.Error("work ran for a negative count"); return 0 }) {
		t.Error("a negative count yielded")
	}
	for range futures.ParallelSlice(pool, []int(nil), func(int, int) int { t.Error("work ran for a nil slice"); return 0 }) {
		t.Error("a nil slice yielded")
	}
}

func TestParallelMapEachEntryOnce(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	m := map[string]int{}
	for i := range 200 {
		m[fmt.Sprint("k", i)] = i
	}
	seen := map[string]int{}
	for k, v := range futures.ParallelMap(pool, m, func(k string, v int) string { return fmt.Sprint(k, "=", v) }) {
		seen[k]++
		if want := fmt.Sprint(k, "=", m[k]); v != want {
			t.Errorf("result for %s is %s, want %s", k, v, want)
		}
	}
	if len(seen) != len(m) {
		t.Errorf("%d entries yielded, want %d", len(seen), len(m))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s yielded %d times", k, n)
		}
	}
	// Leaving early releases the map's iterator.
	for range futures.ParallelMap(pool, m, func(string, int) int { return 0 }) {
		break
	}
}

func TestParallelChanOrderAndClose(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	ch := make(chan int)
	go func() {
		for i := range 100 {
			ch <- i
		}
		close(ch)
	}()
	want := 0
	for v, sq := range futures.ParallelChan(pool, ch, func(v int) int { return v * v }) {
		if v != want || sq != v*v {
			t.Errorf("got %d, %d; want %d, %d", v, sq, want, want*want)
		}
		want++
	}
	if want != 100 {
		t.Errorf("%d values, want 100", want)
	}
}

// Leaving a channel loop early stops the runners blocked receiving.
func TestParallelChanBreakWhileRunnersWait(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	ch := make(chan int, 1)
	ch <- 7
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range futures.ParallelChan(pool, ch, func(v int) int { return v }) {
			if v != 7 {
				t.Errorf("got %d", v)
			}
			break
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not end after break while its runners waited on the channel")
	}
}

// A parallel loop inside a task of its own executor, every worker busy
// with such a task, still progresses: the caller runs the items no
// runner took.
func TestParallelNestedInAFullPool(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	ctx := deadline(t)
	var fs []*futures.Future[int]
	for range 2 {
		fs = append(fs, submit(t, pool, func(context.Context) (int, error) {
			sum := 0
			for _, v := range futures.ParallelInt(pool, 100, func(i int) int { return i }) {
				sum += v
			}
			return sum, nil
		}))
	}
	for _, f := range fs {
		if v, err := f.Result(ctx); v != 4950 || err != nil {
			t.Errorf("got %d, %v; want 4950", v, err)
		}
	}
}

// A shut-down executor takes no runners: the caller runs the loop alone,
// with the same results.
func TestParallelOnShutDownExecutorRunsInCaller(t *testing.T) {
	pool := futures.NewThreadPool(futures.MaxWorkers(2))
	pool.Shutdown(true, false)
	var got []int
	for _, v := range futures.ParallelSlice(pool, []int{1, 2, 3}, func(_ int, x int) int { return x * 10 }) {
		got = append(got, v)
	}
	if !slices.Equal(got, []int{10, 20, 30}) {
		t.Errorf("got %v", got)
	}
}

// useParallel makes ex the parallel executor for the test.
func useParallel(t *testing.T, ex futures.Executor) {
	old := futures.SetParallelExecutor(ex)
	t.Cleanup(func() { futures.SetParallelExecutor(old) })
}

func TestParallelFunctionReturnsAtOnce(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(2))
	useParallel(t, pool)
	if futures.ParallelExecutor() != pool {
		t.Fatal("SetParallelExecutor did not take")
	}
	release := make(chan struct{})
	f := futures.Parallel(func(context.Context) (string, error) {
		<-release
		return "done", nil
	})
	if f.Done() {
		t.Fatal("Parallel waited for the function")
	}
	close(release)
	if v, err := f.Result(deadline(t)); v != "done" || err != nil {
		t.Errorf("got %q, %v", v, err)
	}
}

func TestParallelFunctionOnShutDownExecutorFails(t *testing.T) {
	pool := futures.NewThreadPool()
	pool.Shutdown(true, false)
	useParallel(t, pool)
	f := futures.Parallel(func(context.Context) (int, error) { return 1, nil })
	if _, err := f.Result(deadline(t)); !errors.Is(err, futures.ErrShutdown) {
		t.Errorf("got %v, want ErrShutdown", err)
	}
	if _, err := double.Parallel(2).Result(deadline(t)); !errors.Is(err, futures.ErrShutdown) {
		t.Errorf("Func.Parallel: got %v, want ErrShutdown", err)
	}
}

// With a ProcessPool as the parallel executor, registered functions run
// in worker processes and closures stay in-process.
func TestParallelOnProcessPool(t *testing.T) {
	pool, err := futures.NewProcessPool(futures.MaxWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownWithin(t, pool, 10*time.Second) })
	useParallel(t, pool)
	t.Cleanup(futures.ShutdownDefaultParallel)
	ctx := deadline(t)
	pid, err := getpid.Parallel(struct{}{}).Result(ctx)
	if err != nil || pid == os.Getpid() || pid == 0 {
		t.Errorf("registered function: pid %d, %v; want a worker's pid (this is %d)", pid, err, os.Getpid())
	}
	here, err := futures.Parallel(func(context.Context) (int, error) { return os.Getpid(), nil }).Result(ctx)
	if err != nil || here != os.Getpid() {
		t.Errorf("closure: pid %d, %v; want this process's %d", here, err, os.Getpid())
	}
	var got []int
	for _, v := range futures.ParallelInt(nil, 3, func(i int) int { return i + 1 }) {
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("loop on the fallback pool: got %v", got)
	}
}

// TestParallelLoopsAgreeWithSequential is a property test: loops of random
// lengths, on 1 to 4 workers, with works of random durations, left at a
// random iteration or run to the end, yield exactly what the sequential
// loop yields, and no work runs once the loop is over.
func TestParallelLoopsAgreeWithSequential(t *testing.T) {
	var pools []*futures.ThreadPool
	for k := 1; k <= 4; k++ {
		pools = append(pools, newPool(t, futures.MaxWorkers(k)))
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := func() uint64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
	for trial := range 300 {
		n := int(rnd() % 40)
		pool := pools[rnd()%4]
		stopAt := -1
		if rnd()%2 == 0 && n > 0 {
			stopAt = int(rnd() % uint64(n))
		}
		in := make([]int, n)
		for i := range in {
			in[i] = int(rnd() % 200)
		}
		var running atomic.Int64
		var got []int
		for i, v := range futures.ParallelSlice(pool, in, func(i, x int) int {
			running.Add(1)
			defer running.Add(-1)
			time.Sleep(time.Duration(x) * time.Microsecond)
			return x*1000 + i
		}) {
			if v != in[i]*1000+i {
				t.Fatalf("trial %d: item %d yielded %d, want %d", trial, i, v, in[i]*1000+i)
			}
			got = append(got, i)
			if i == stopAt {
				break
			}
		}
		if r := running.Load(); r != 0 {
			t.Fatalf("trial %d: %d works running after the loop", trial, r)
		}
		want := n
		if stopAt >= 0 {
			want = stopAt + 1
		}
		if len(got) != want {
			t.Fatalf("trial %d: %d iterations, want %d (n %d, stop at %d)", trial, len(got), want, n, stopAt)
		}
		for i, g := range got {
			if g != i {
				t.Fatalf("trial %d: iteration %d was item %d", trial, i, g)
			}
		}
	}
}

// A work that waits on a future of the loop's own executor, whose workers
// the runners hold, gets ErrDeadlock instead of hanging (the rewriter
// rejects such a wait written in the work; this is one through a call).
func TestParallelWorkWaitingOnItsExecutor(t *testing.T) {
	pool := newPool(t, futures.MaxWorkers(1))
	wait := func(x int) (int, error) {
		f := submit(t, pool, func(context.Context) (int, error) { return x * 2, nil })
		return f.Result(deadline(t))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, r := range futures.ParallelInt(pool, 4, func(i int) (r struct {
			v   int
			err error
		}) {
			r.v, r.err = wait(i)
			return
		}) {
			if r.err != nil && !errors.Is(r.err, futures.ErrDeadlock) || r.err == nil && r.v != 2*i {
				t.Errorf("item %d: %d, %v; want %d or ErrDeadlock", i, r.v, r.err, 2*i)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a work waiting on its loop's executor hung")
	}
}

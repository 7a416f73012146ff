package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/futures"
	"github.com/asyncgo/asyncgo/runtime/futures/cluster"
)

type slowArg struct {
	File string        // where the worker writes its pid when it starts, if set
	D    time.Duration // then how long it sleeps
}

// Registered at package level, so that worker processes have them too.
var (
	square = futures.Register("cluster.square", func(_ context.Context, n int) (int, error) { return n * n, nil })
	// squareWhere returns n*n and the worker's pid.
	squareWhere = futures.Register("cluster.squareWhere", func(_ context.Context, n int) ([2]int, error) { return [2]int{n * n, os.Getpid()}, nil })
	slow        = futures.Register("cluster.slow", func(ctx context.Context, a slowArg) (int, error) {
		if a.File != "" {
			if err := os.WriteFile(a.File, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
				return 0, err
			}
		}
		select {
		case <-time.After(a.D):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return os.Getpid(), nil
	})
	crash = futures.Register("cluster.crash", func(context.Context, struct{}) (int, error) {
		os.Exit(3)
		return 0, nil
	})
	// block writes "started" to its file, waits for its context to be
	// cancelled and writes why.
	block = futures.Register("cluster.block", func(ctx context.Context, file string) (int, error) {
		if err := os.WriteFile(file, []byte("started"), 0o644); err != nil {
			return 0, err
		}
		<-ctx.Done()
		return 0, os.WriteFile(file, []byte("stopped: "+ctx.Err().Error()), 0o644)
	})
	// logStart appends a line to its file each time it starts, then
	// sleeps.
	logStart = futures.Register("cluster.logStart", func(ctx context.Context, a slowArg) (int, error) {
		f, err := os.OpenFile(a.File, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return 0, err
		}
		fmt.Fprintln(f, os.Getpid())
		f.Close()
		time.Sleep(a.D)
		return os.Getpid(), nil
	})
	big = futures.Register("cluster.big", func(_ context.Context, n int) (string, error) { return strings.Repeat("x", n), nil })
)

// clusterLate is registered only when a test calls it, so never in a worker.
var clusterLate = sync.OnceValue(func() futures.Func[int, int] {
	return futures.Register("cluster.late", func(context.Context, int) (int, error) { return 1, nil })
})

func within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newPool(t *testing.T, opts ...cluster.Option) *cluster.Pool {
	t.Helper()
	p, err := cluster.NewPool(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownWithin(t, p, 30*time.Second) })
	return p
}

func readFile(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

// clusterTasks is how many tasks TestPoolManyTasks submits.
const clusterTasks = 10000

// Many tasks on three worker processes: each future completes exactly
// once, with its own result; Map keeps order in chunks; Wait and
// AsCompleted see the futures complete.
func TestPoolManyTasks(t *testing.T) {
	ctx := within(t, 60*time.Second)
	p := newPool(t, cluster.LocalWorkers(3))
	start := time.Now()
	var completions [clusterTasks]atomic.Int32
	fs := make([]*futures.Future[[2]int], clusterTasks)
	for i := range fs {
		f, err := squareWhere.Submit(p, i)
		if err != nil {
			t.Fatal(err)
		}
		f.AddDoneCallback(func(*futures.Future[[2]int]) { completions[i].Add(1) })
		fs[i] = f
	}
	perWorker := map[int]int{}
	for i, f := range fs {
		v, err := f.Result(ctx)
		if err != nil || v[0] != i*i {
			t.Fatalf("task %d: %v, %v; want %d", i, v[0], err, i*i)
		}
		perWorker[v[1]]++
	}
	for i := range completions {
		if n := completions[i].Load(); n != 1 {
			t.Fatalf("future %d completed %d times", i, n)
		}
	}
	t.Logf("%d tasks on 3 workers in %v; tasks per worker pid: %v", clusterTasks, time.Since(start), perWorker)
	if len(perWorker) != 3 || perWorker[os.Getpid()] != 0 {
		t.Errorf("tasks ran in processes %v; want 3 workers, not this process (%d)", perWorker, os.Getpid())
	}

	var want []int
	for i := range 100 {
		want = append(want, i*i)
	}
	for _, chunk := range []int{1, 7} {
		var got []int
		for v, err := range square.Map(ctx, p, slices.Values(intsTo(100)), futures.Chunksize(chunk)) {
			if err != nil {
				t.Fatalf("Map chunksize %d: %v", chunk, err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Map chunksize %d = %v; want %v", chunk, got, want)
		}
	}

	var slows []*futures.Future[int]
	for range 30 {
		f, err := slow.Submit(p, slowArg{D: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		slows = append(slows, f)
	}
	done, notDone := futures.Wait(ctx, slows, futures.AllCompleted)
	if len(done) != 30 || len(notDone) != 0 {
		t.Fatalf("Wait: %d done, %d not", len(done), len(notDone))
	}
	n := 0
	for f, err := range futures.AsCompleted(ctx, slows) {
		if err != nil {
			t.Fatal(err)
		}
		if pid, err := f.Result(ctx); err != nil || pid == os.Getpid() {
			t.Fatalf("slow task: %v, %v", pid, err)
		}
		n++
	}
	if n != 30 {
		t.Errorf("AsCompleted yielded %d of 30", n)
	}
}

func intsTo(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestPoolErrors(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(1), cluster.MaxPayload(4096))

	// A function the workers do not know fails its future, not the worker.
	f, err := clusterLate().Submit(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Exception(ctx); err == nil || !strings.Contains(err.Error(), "cluster.late: not registered in the worker") {
		t.Errorf("unregistered function: %v", err)
	}

	// Arguments and results over the limit.
	if _, err := length.Submit(p, strings.Repeat("x", 5000)); !errors.Is(err, cluster.ErrPayloadTooLarge) || !strings.Contains(err.Error(), "at most 4096") {
		t.Errorf("oversize arguments: %v; want ErrPayloadTooLarge naming the limit", err)
	}
	var chunkErr error
	for _, err := range length.Map(ctx, p, slices.Values([]string{strings.Repeat("x", 3000), strings.Repeat("y", 3000)}), futures.Chunksize(2)) {
		chunkErr = err
		break
	}
	if !errors.Is(chunkErr, cluster.ErrPayloadTooLarge) {
		t.Errorf("oversize chunk: %v; want ErrPayloadTooLarge", chunkErr)
	}
	s, _ := big.Submit(p, 10000)
	if _, err := s.Result(ctx); !errors.Is(err, cluster.ErrPayloadTooLarge) || !strings.Contains(err.Error(), "result of cluster.big") {
		t.Errorf("oversize result: %v; want ErrPayloadTooLarge", err)
	}

	// Errors and panics come back as from a ProcessPool.
	f, _ = fail.Submit(p, "no luck")
	var re *futures.RemoteError
	if err := f.Exception(ctx); !errors.As(err, &re) || re.Msg != "no luck" {
		t.Errorf("error from the worker = %v", err)
	}
	f, _ = explode.Submit(p, "")
	var pe *futures.PanicError
	if err := f.Exception(ctx); !errors.As(err, &pe) || pe.Value != "kaboom" {
		t.Errorf("panic in the worker = %v", err)
	}
	if _, err := futures.Submit(p, func(context.Context) (int, error) { return 1, nil }); err == nil || !strings.Contains(err.Error(), "registered functions") {
		t.Errorf("Submit of a closure: %v", err)
	}

	// The worker survives all of these.
	g, _ := gcdFunc.Submit(p, [2]int{12, 18})
	if v, err := g.Result(ctx); v != 6 || err != nil {
		t.Errorf("gcd after the failures = %v, %v", v, err)
	}

	// Bad options.
	for _, opts := range [][]cluster.Option{
		{cluster.LocalWorkers(0)},
		{cluster.Name("a.b")},
		{cluster.MaxDeliveries(0)},
		{cluster.URL("nats://127.0.0.1:1"), cluster.Name("x")},
	} {
		if p, err := cluster.NewPool(opts...); err == nil {
			p.Shutdown(true, false)
			t.Errorf("NewPool with bad options succeeded")
		}
	}

	p.Shutdown(true, false)
	if _, err := square.Submit(p, 1); err != futures.ErrShutdown {
		t.Errorf("Submit after Shutdown: %v; want ErrShutdown", err)
	}
}

// A worker killed with SIGKILL mid-task: JetStream delivers the task to
// another worker after the ack wait, and the future gets its result.
func TestPoolKilledWorker(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(2), cluster.AckWait(time.Second))
	file := t.TempDir() + "/pid"
	f, err := slow.Submit(p, slowArg{File: file, D: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	testbound.Until(t, "the task to start", func() bool { return readFile(file) != "" })
	victim, err := strconv.Atoi(readFile(file))
	if err != nil || victim <= 1 {
		t.Fatalf("the task wrote pid %q", readFile(file))
	}
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pid, err := f.Result(ctx)
	if err != nil || pid == victim || pid == 0 {
		t.Fatalf("after killing worker %d: %v, %v; want another worker's pid", victim, pid, err)
	}
	t.Logf("redelivered to worker %d after %v", pid, time.Since(start))
	if f.Done() && f.Cancelled() {
		t.Error("cancelled")
	}
}

// A task that kills every worker that runs it fails after MaxDeliveries;
// the pool replaces its workers and goes on.
func TestPoolCrashingTask(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(2), cluster.AckWait(500*time.Millisecond), cluster.MaxDeliveries(2))
	f, err := crash.Submit(p, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	err = f.Exception(ctx)
	if !errors.Is(err, cluster.ErrTooManyDeliveries) || !strings.Contains(err.Error(), "cluster.crash was delivered 2 times") {
		t.Fatalf("crashing task: %v; want ErrTooManyDeliveries after 2 deliveries", err)
	}
	g, _ := gcdFunc.Submit(p, [2]int{12, 18})
	if v, err := g.Result(ctx); v != 6 || err != nil {
		t.Errorf("gcd after the crashes = %v, %v", v, err)
	}
}

// The server stops mid-run: every future not done fails with
// ErrBrokenPool saying so, and nothing hangs.
func TestPoolServerStops(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(2))
	var fs []*futures.Future[int]
	for range 40 {
		f, err := slow.Submit(p, slowArg{D: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	if _, err := fs[0].Result(ctx); err != nil {
		t.Fatal(err)
	}
	cluster.StopServer(p)
	failed := 0
	for _, f := range fs {
		_, err := f.Result(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("a future hung after the server stopped")
		}
		if err != nil {
			failed++
			if !errors.Is(err, futures.ErrBrokenPool) || !strings.Contains(err.Error(), "embedded NATS server stopped") {
				t.Fatalf("%v: %v; want ErrBrokenPool saying the server stopped", f, err)
			}
		}
	}
	if failed == 0 {
		t.Error("no future failed")
	}
	if _, err := square.Submit(p, 2); !errors.Is(err, futures.ErrBrokenPool) {
		t.Errorf("Submit to a broken pool: %v", err)
	}
}

// Cancel stops a running remote call: the worker's context is cancelled.
// Shutdown(cancelFutures) cancels the tasks no worker has started.
func TestPoolCancel(t *testing.T) {
	p := newPool(t, cluster.LocalWorkers(1))
	file := t.TempDir() + "/state"
	f, err := block.Submit(p, file)
	if err != nil {
		t.Fatal(err)
	}
	var queued []*futures.Future[int]
	for range 20 {
		q, err := square.Submit(p, 3)
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, q)
	}
	testbound.Until(t, "the task to start", func() bool { return readFile(file) == "started" })
	testbound.Until(t, "the worker's word that it started", func() bool { return cluster.Started(p) == 1 })
	p.Shutdown(false, true)
	cancelled := 0
	for _, q := range queued {
		if q.Cancelled() {
			cancelled++
		}
	}
	if cancelled != len(queued) {
		t.Errorf("Shutdown(cancelFutures) cancelled %d of %d tasks queued behind a running one", cancelled, len(queued))
	}
	if f.Done() {
		t.Fatal("Shutdown(cancelFutures) cancelled the running task")
	}
	if !f.Cancel() || !f.Cancelled() {
		t.Fatal("Cancel of a running task failed")
	}
	testbound.Until(t, "the worker to stop the call", func() bool { return strings.HasPrefix(readFile(file), "stopped") })
	if got := readFile(file); got != "stopped: context canceled" {
		t.Errorf("worker says %q", got)
	}
	shutdownWithin(t, p, 20*time.Second)
}

// aio.WrapFuture awaits a Pool's future from the event loop;
// RunInExecutor refuses closures, as a ProcessPool does.
func TestPoolWithAio(t *testing.T) {
	p := newPool(t, cluster.LocalWorkers(1))
	v, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) {
		f, err := square.Submit(p, 9)
		if err != nil {
			return 0, err
		}
		v, err := aio.Await[int](t, aio.WrapFuture(t.Loop(), f))
		if err != nil {
			return 0, err
		}
		if _, err := aio.RunInExecutor(t, p, func(context.Context) (int, error) { return 1, nil }); err == nil {
			return 0, errors.New("RunInExecutor ran a closure on a cluster.Pool")
		}
		return v, nil
	}))
	if v != 81 || err != nil {
		t.Fatalf("awaited %v, %v; want 81", v, err)
	}
}

// A task past its deadline fails with ErrTimeout, and its worker stops it:
// the work of a client that went away does not run for ever.
func TestPoolTaskDeadline(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(1), cluster.TaskTimeout(time.Second))
	file := t.TempDir() + "/state"
	f, err := block.Submit(p, file)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Exception(ctx); !errors.Is(err, futures.ErrTimeout) || !strings.Contains(err.Error(), "cluster.block did not finish within its TaskTimeout (1s)") {
		t.Fatalf("task past its deadline: %v; want ErrTimeout", err)
	}
	testbound.Until(t, "the worker to stop the call", func() bool { return strings.HasPrefix(readFile(file), "stopped") })
	if got := readFile(file); got != "stopped: context deadline exceeded" && got != "stopped: context canceled" {
		t.Errorf("worker says %q", got)
	}
}

// A live worker keeps its task from redelivery while it runs longer than
// the ack wait: the task runs once.
func TestPoolLongTaskNotRedelivered(t *testing.T) {
	ctx := within(t, 30*time.Second)
	p := newPool(t, cluster.LocalWorkers(2), cluster.AckWait(600*time.Millisecond))
	file := t.TempDir() + "/starts"
	f, err := logStart.Submit(p, slowArg{File: file, D: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Result(ctx); err != nil {
		t.Fatal(err)
	}
	if starts := strings.Count(readFile(file), "\n"); starts != 1 {
		t.Errorf("a task running 2s with a 600ms ack wait started %d times; want once", starts)
	}
}

// A program that forgets WorkerMain (here, workers that exit at once
// without serving) gets a broken pool that says why after three tries,
// not workers started without end.
func TestPoolWorkersThatNeverServe(t *testing.T) {
	ctx := within(t, 30*time.Second)
	exe, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to play a worker")
	}
	cluster.SetWorkerExe(exe)
	p, err := cluster.NewPool(cluster.LocalWorkers(1))
	cluster.SetWorkerExe("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownWithin(t, p, 10*time.Second) })
	f, err := square.Submit(p, 2)
	if err != nil && !errors.Is(err, futures.ErrBrokenPool) {
		t.Fatal(err)
	}
	if err == nil {
		err = f.Exception(ctx)
	}
	if !errors.Is(err, futures.ErrBrokenPool) || !strings.Contains(err.Error(), "3 times in a row (did the program call futures.WorkerMain") {
		t.Errorf("workers that never serve: %v; want ErrBrokenPool naming WorkerMain", err)
	}
}

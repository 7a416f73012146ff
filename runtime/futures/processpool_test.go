package futures_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// Registered at package level, so that worker processes have them too.
var (
	gcdFunc = futures.Register("test.gcd", func(_ context.Context, p [2]int) (int, error) { return gcd(p[0], p[1]), nil })
	getpid  = futures.Register("test.getpid", func(context.Context, struct{}) (int, error) { return os.Getpid(), nil })
	fail    = futures.Register("test.fail", func(_ context.Context, msg string) (int, error) { return 0, errors.New(msg) })
	explode = futures.Register("test.panic", func(context.Context, string) (int, error) { panic("kaboom") })
	length  = futures.Register("test.length", func(_ context.Context, s string) (int, error) {
		if s == "" {
			return 0, errors.New("empty")
		}
		return len(s), nil
	})
	chanArg   = futures.Register("test.chanArg", func(context.Context, chan int) (int, error) { return 0, nil })
	badResult = futures.Register("test.badResult", func(context.Context, int) (chan int, error) { return make(chan int), nil })
	hang      = futures.Register("test.hang", func(context.Context, struct{}) (int, error) { select {} })

	greeting = "unset"
	setGreet = futures.Register("test.setGreeting", func(_ context.Context, s string) (struct{}, error) {
		if s == "" {
			return struct{}{}, errors.New("empty greeting")
		}
		greeting = s
		return struct{}{}, nil
	})
	getGreet = futures.Register("test.getGreeting", func(context.Context, struct{}) (string, error) { return greeting, nil })
)

// lateFunc is registered only when a test calls it, so never in a worker.
var lateFunc = sync.OnceValue(func() futures.Func[int, int] {
	return futures.Register("test.late", func(context.Context, int) (int, error) { return 1, nil })
})

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func newProcessPool(t *testing.T, opts ...futures.PoolOption) *futures.ProcessPool {
	t.Helper()
	p, err := futures.NewProcessPool(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownWithin(t, p, 30*time.Second) })
	return p
}

// gone reports whether no process has pid any more.
func gone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

var pairs = [][2]int{{1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928}}

func TestProcessPoolRunsRegisteredFunctionsElsewhere(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(2))
	pid, err := getpid.Submit(p, struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := pid.Result(ctx)
	if err != nil || child == os.Getpid() || child == 0 {
		t.Fatalf("worker pid = %d, %v; this process is %d", child, err, os.Getpid())
	}

	var want []int
	for _, pr := range pairs {
		want = append(want, gcd(pr[0], pr[1]))
	}
	for _, chunk := range []int{1, 2, 10} {
		var got []int
		for v, err := range gcdFunc.Map(ctx, p, slices.Values(pairs), futures.Chunksize(chunk)) {
			if err != nil {
				t.Fatalf("chunksize %d: %v", chunk, err)
			}
			got = append(got, v)
		}
		if !slices.Equal(got, want) {
			t.Errorf("chunksize %d: Map = %v; want %v", chunk, got, want)
		}
	}
	p.Shutdown(true, false)
	if !gone(child) {
		t.Errorf("worker %d still exists after Shutdown(wait)", child)
	}
	if _, err := gcdFunc.Submit(p, pairs[0]); err != futures.ErrShutdown {
		t.Errorf("Submit after Shutdown: %v; want ErrShutdown", err)
	}
}

func TestProcessPoolErrors(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(1))

	f, _ := fail.Submit(p, "no luck")
	var re *futures.RemoteError
	if err := f.Exception(ctx); !errors.As(err, &re) || re.Func != "test.fail" || re.Msg != "no luck" {
		t.Errorf("error from the worker = %v; want RemoteError test.fail: no luck", err)
	}

	f, _ = explode.Submit(p, "")
	var pe *futures.PanicError
	if err := f.Exception(ctx); !errors.As(err, &pe) || pe.Value != "kaboom" || !strings.Contains(string(pe.Stack), "goroutine") {
		t.Errorf("panic in the worker = %v; want a PanicError with its stack", err)
	}

	// A closure cannot cross into another process.
	if _, err := futures.Submit(p, func(context.Context) (int, error) { return 1, nil }); err == nil || !strings.Contains(err.Error(), "registered functions") {
		t.Errorf("Submit of a closure: %v", err)
	}

	// Registered here, after the worker started: the worker does not know it.
	f, _ = lateFunc().Submit(p, 1)
	if err := f.Exception(ctx); err == nil || !strings.Contains(err.Error(), "not registered in the worker") {
		t.Errorf("unregistered function: %v", err)
	}

	// Results and arguments gob cannot encode.
	ch, _ := badResult.Submit(p, 1)
	if err := ch.Exception(ctx); err == nil || !strings.Contains(err.Error(), "encoding the result of test.badResult") {
		t.Errorf("unencodable result: %v", err)
	}
	if _, err := chanArg.Submit(p, make(chan int)); err == nil {
		t.Errorf("Submit of an unencodable argument succeeded")
	}

	// In a chunk, an error surfaces at its item, after the ones before it.
	var got []int
	var gotErr error
	for v, err := range length.Map(ctx, p, slices.Values([]string{"ab", "", "c"}), futures.Chunksize(3)) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{2}) || !errors.As(gotErr, &re) || re.Msg != "empty" {
		t.Errorf("Map over a chunk with a failure: %v then %v", got, gotErr)
	}

	// The pool survives all of these.
	v, err := gcdFunc.Submit(p, [2]int{12, 18})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Result(ctx); got != 6 || err != nil {
		t.Errorf("gcd(12, 18) = %v, %v after the failures", got, err)
	}
}

// A worker killed with SIGKILL breaks the pool: the running future and
// everything after it fail with ErrBrokenPool; nothing hangs.
func TestProcessPoolKilledWorkerBreaksThePool(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(1))
	pidF, _ := getpid.Submit(p, struct{}{})
	pid, err := pidF.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stuck, _ := hang.Submit(p, struct{}{})
	queued, _ := gcdFunc.Submit(p, [2]int{4, 6})
	for !stuck.Running() {
		select {
		case <-ctx.Done():
			t.Fatal("the hanging task never started")
		case <-time.After(time.Millisecond):
		}
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*futures.Future[int]{stuck, queued} {
		err := f.Exception(ctx)
		if !errors.Is(err, futures.ErrBrokenPool) {
			t.Fatalf("%v: %v; want ErrBrokenPool", f, err)
		}
		if f == stuck && !strings.Contains(err.Error(), "terminated abruptly") {
			t.Errorf("broken-pool error does not say what happened: %v", err)
		}
	}
	if _, err := gcdFunc.Submit(p, [2]int{4, 6}); !errors.Is(err, futures.ErrBrokenPool) {
		t.Errorf("Submit to a broken pool: %v; want ErrBrokenPool", err)
	}
}

func TestProcessPoolInitializerAndMaxTasksPerChild(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(1), futures.Initializer(setGreet, "hello"), futures.MaxTasksPerChild(2))
	g, _ := getGreet.Submit(p, struct{}{})
	if v, err := g.Result(ctx); v != "hello" || err != nil {
		t.Errorf("greeting in the worker = %q, %v; want the initializer's", v, err)
	}
	if greeting != "unset" {
		t.Errorf("the initializer ran in the parent")
	}
	var pids []int
	for range 4 {
		f, _ := getpid.Submit(p, struct{}{})
		v, err := f.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, v)
	}
	// getGreet was the first worker's first task.
	if pids[0] == pids[1] || pids[1] != pids[2] || pids[2] == pids[3] {
		t.Errorf("pids %v: want a new worker every 2 tasks", pids)
	}
	if !gone(pids[0]) {
		t.Errorf("retired worker %d still exists", pids[0])
	}
}

func TestInitializerFailureBreaksThePool(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(1), futures.Initializer(setGreet, ""))
	f, _ := getGreet.Submit(p, struct{}{})
	if err := f.Exception(ctx); !errors.Is(err, futures.ErrBrokenPool) || !strings.Contains(err.Error(), "empty greeting") {
		t.Errorf("failed initializer: %v; want ErrBrokenPool naming its error", err)
	}

	tp := newPool(t, futures.MaxWorkers(1), futures.Initializer(setGreet, ""))
	if f, err := getGreet.Submit(tp, struct{}{}); err == nil {
		if err := f.Exception(ctx); !errors.Is(err, futures.ErrBrokenPool) {
			t.Errorf("thread pool with a failed initializer: %v", err)
		}
	} else if !errors.Is(err, futures.ErrBrokenPool) {
		t.Errorf("thread pool with a failed initializer: Submit: %v", err)
	}
}

func TestProcessPoolShutdownCancelsQueued(t *testing.T) {
	ctx := deadline(t)
	p := newProcessPool(t, futures.MaxWorkers(1))
	pidF, _ := getpid.Submit(p, struct{}{})
	pid, err := pidF.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var queued []*futures.Future[int]
	for range 200 {
		f, err := gcdFunc.Submit(p, [2]int{9, 6})
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, f)
	}
	p.Shutdown(true, true)
	cancelled := 0
	for _, f := range queued {
		if f.Cancelled() {
			cancelled++
		} else if v, err := f.Result(ctx); v != 3 || err != nil {
			t.Errorf("%v = %v, %v", f, v, err)
		}
	}
	if cancelled == 0 {
		t.Errorf("Shutdown(cancelFutures) cancelled none of 200 queued tasks")
	}
	if !gone(pid) {
		t.Errorf("worker %d outlived Shutdown(wait)", pid)
	}
}

// A program that forgets WorkerMain gets a broken pool that says why; its
// worker, running main again, cannot start pools of its own.
func TestForgottenWorkerMain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // go build, on a loaded machine
	defer cancel()
	exe := filepath.Join(t.TempDir(), "noworkermain")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", exe, "./testdata/noworkermain").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ASYNCGO_FUTURES_WORKER=") })
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "result: futures: pool is broken") || !strings.Contains(string(out), "did the program call futures.WorkerMain") {
		t.Errorf("stdout = %q; want the broken pool naming WorkerMain", out)
	}
	if !strings.Contains(stderr.String(), "worker: futures: NewProcessPool called in a worker process") {
		t.Errorf("stderr = %q; want the worker's refusal to start a pool", stderr.String())
	}
}

// A process started as a cluster worker by a program that does not import
// package cluster (this test binary) says what is missing, and exits.
func TestClusterWorkerWithoutClusterPackage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "ASYNCGO_CLUSTER_WORKER=nats://127.0.0.1:4222/p")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("worker exited with %v; want status 2", err)
	}
	if !strings.Contains(string(out), "does not import github.com/asyncgo/asyncgo/runtime/futures/cluster") {
		t.Errorf("worker said %q; want it to name runtime/futures/cluster", out)
	}
}

package cluster_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"github.com/asyncgo/asyncgo/runtime/futures/cluster"
)

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A real nats-server, built from the module, runs as its own process on
// 127.0.0.1; two workers join it by hand, as on two other machines, with
// ASYNCGO_CLUSTER_WORKER, and the pool's client starts none.
func TestPoolOnNATSServer(t *testing.T) {
	ctx := within(t, 3*time.Minute)
	dir := t.TempDir()
	bin := filepath.Join(dir, "nats-server")
	start := time.Now()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("go build nats-server: %v\n%s", err, out)
	}
	t.Logf("go build nats-server: %v", time.Since(start))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	var serverLog syncBuffer
	srv := exec.Command(bin, "-a", "127.0.0.1", "-p", port, "-js", "-sd", filepath.Join(dir, "store"))
	srv.Stdout, srv.Stderr = &serverLog, &serverLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Kill()
		srv.Wait()
		if t.Failed() {
			t.Logf("nats-server's log:\n%s", serverLog.String())
		}
	})
	testbound.Until(t, "nats-server to listen", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	url := "nats://127.0.0.1:" + port

	p := newPool(t, cluster.URL(url), cluster.Name("bymachine"), cluster.AckWait(2*time.Second))
	if n := p.MaxWorkers(); n != 0 {
		t.Errorf("a URL pool started %d local workers", n)
	}
	if got, want := p.WorkerURL(), url+"/bymachine"; got != want {
		t.Errorf("WorkerURL() = %q; want %q", got, want)
	}

	// Two workers started by hand: the test binary, whose TestMain calls
	// WorkerMain, with the environment variable naming server and pool.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var workers []*exec.Cmd
	var workerLog syncBuffer
	for range 2 {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "ASYNCGO_CLUSTER_WORKER="+url+"/bymachine")
		cmd.Stdout, cmd.Stderr = &workerLog, &workerLog
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		workers = append(workers, cmd)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			for _, w := range workers {
				w.Process.Kill()
				w.Wait()
			}
		}
	})

	pids := map[int]int{}
	var fs []*futures.Future[int]
	for range 100 {
		f, err := slow.Submit(p, slowArg{D: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	for _, f := range fs {
		pid, err := f.Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pids[pid]++
	}
	for _, w := range workers {
		if pids[w.Process.Pid] == 0 {
			t.Errorf("worker %d ran no task: tasks per pid %v", w.Process.Pid, pids)
		}
	}
	if len(pids) != 2 {
		t.Errorf("tasks ran in %v; want the two workers only", pids)
	}
	var got []int
	for v, err := range gcdFunc.Map(ctx, p, slices.Values(pairs), futures.Chunksize(2)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != len(pairs) || got[0] != gcd(pairs[0][0], pairs[0][1]) {
		t.Errorf("Map = %v", got)
	}
	shutdownWithin(t, p, 10*time.Second)

	// The workers outlive their client; SIGTERM stops them cleanly.
	for _, w := range workers {
		w.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		done := make(chan error, 1)
		go func() { done <- w.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) || err != nil {
				t.Errorf("worker %d: %v\n%s", w.Process.Pid, err, workerLog.String())
			}
		case <-ctx.Done():
			t.Fatalf("worker %d did not exit on SIGTERM", w.Process.Pid)
		}
	}
	stopped = true
	t.Logf("tasks per worker: %v; test took %v", pids, time.Since(start))
}

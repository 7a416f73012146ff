package futures

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures/internal/remote"
)

// remoteCall is a task for a worker process: a registered function's name
// and encoded arguments (one for Submit, a chunk for Map).
type remoteCall struct {
	name   string
	n      int          // how many arguments
	args   []byte       // one gob stream of them
	finish func(*reply) // completes the future from the worker's reply
}

// The protocol between a pool and its worker processes: gob values over
// two inherited pipes, nothing another process could connect to.
type (
	hello struct { // the worker's first message
		PID     int
		InitErr string // the initializer's failure
	}
	request struct {
		Func string
		N    int
		Args []byte
	}
	// reply holds the results of the items that succeeded, as one gob
	// stream in order, and the failures; a cluster pool's workers send it
	// too.
	reply   = remote.Reply
	failure = remote.Failure
)

// workerEnv marks a worker process; its value names the initializer.
const workerEnv = remote.WorkerEnv

// MaxTasksPerChild replaces each worker process of a ProcessPool after it
// has run n tasks (Python's max_tasks_per_child), which bounds what a leaky
// function can accumulate. NewThreadPool rejects it.
func MaxTasksPerChild(n int) PoolOption {
	return func(c *poolConfig) { c.maxTasks = n }
}

// Initializer runs fn(arg) in each worker before its first task (Python's
// initializer and initargs): in each worker process of a ProcessPool, in
// each worker goroutine of a ThreadPool. If it fails, the pool breaks:
// its futures fail with ErrBrokenPool.
func Initializer[A, T any](fn Func[A, T], arg A) PoolOption {
	return func(c *poolConfig) {
		c.initName = fn.name
		c.initLocal = func(ctx context.Context) error { _, err := fn.fn(ctx, arg); return err }
		c.initArg, c.initErr = encodeArgs(arg)
	}
}

// ProcessPool runs registered functions (see Register) in worker processes
// started from the program's own binary: Python's ProcessPoolExecutor.
// Workers start as work arrives, up to MaxWorkers (default
// runtime.NumCPU()), and run one task at a time. A worker that dies breaks
// the pool: its futures, and all later ones, fail with ErrBrokenPool
// instead of hanging.
//
// The program must call WorkerMain at the start of main (or TestMain),
// which is where a worker process serves its tasks.
type ProcessPool struct {
	pool
	q   workQueue
	cfg poolConfig

	procsMu sync.Mutex
	procs   map[*proc]bool // the live worker processes
}

// NewProcessPool returns a process pool. It fails inside a worker process:
// a program that starts pools must call WorkerMain first, or each worker
// would start the program again.
func NewProcessPool(opts ...PoolOption) (*ProcessPool, error) {
	if os.Getenv(workerEnv) != "" {
		return nil, errors.New("futures: NewProcessPool called in a worker process: call futures.WorkerMain at the start of main")
	}
	c := poolConfig{maxWorkers: runtime.NumCPU()}
	for _, o := range opts {
		o(&c)
	}
	if c.maxWorkers <= 0 {
		return nil, errors.New("futures: MaxWorkers must be greater than 0")
	}
	if c.initErr != nil {
		return nil, fmt.Errorf("futures: encoding the initializer's argument: %w", c.initErr)
	}
	if c.prefix == "" {
		c.prefix = "ProcessPoolExecutor-" + strconv.FormatInt(poolSeq.Add(1)-1, 10)
	}
	p := &ProcessPool{
		pool:  pool{name: c.prefix, max: c.maxWorkers, blocked: map[*node]bool{}, remote: true},
		cfg:   c,
		procs: map[*proc]bool{},
	}
	p.q.init(c.maxWorkers, func(int) { p.work() })
	return p, nil
}

// MaxWorkers reports the pool's maximum number of worker processes.
func (p *ProcessPool) MaxWorkers() int { return p.max }

func (p *ProcessPool) graph() *pool { return &p.pool }

// String names the pool.
func (p *ProcessPool) String() string {
	return fmt.Sprintf("ProcessPool(%s, max %d)", p.name, p.max)
}

func (p *ProcessPool) schedule(t task) error {
	if t.remote == nil {
		return fmt.Errorf("futures: %s runs only registered functions: use Register and Func.Submit", p)
	}
	return p.q.push(t)
}

// submitRemote schedules a request to run the registered function name on
// n encoded arguments, and returns the future that finish completes from
// the worker's reply.
func submitRemote[R any](p Executor, label, name string, n int, args []byte, finish func(*Future[R], *reply)) (*Future[R], error) {
	fut := newFuture[R](label, p.graph())
	fut.fnName = name
	call := &remoteCall{name: name, n: n, args: args, finish: func(r *reply) { finish(fut, r) }}
	if err := p.schedule(task{job: fut, remote: call}); err != nil {
		return nil, err
	}
	return fut, nil
}

// work is the goroutine that feeds one worker process, replacing it after
// MaxTasksPerChild tasks.
func (p *ProcessPool) work() {
	var w *proc
	defer func() {
		if w != nil {
			p.retire(w)
		}
	}()
	for {
		t, ok := p.q.pop()
		if !ok {
			return
		}
		c := t.remote
		if !t.job.start() {
			continue // cancelled while queued
		}
		if w == nil {
			var err error
			if w, err = p.spawn(); err != nil {
				t.job.fail(err)
				p.breakPool(err)
				return
			}
		}
		out, err := w.call(c)
		if err != nil {
			err = w.died(err)
			t.job.fail(err)
			p.breakPool(err)
			return
		}
		c.finish(out)
		if w.tasks++; p.cfg.maxTasks > 0 && w.tasks >= p.cfg.maxTasks {
			p.retire(w)
			w = nil
		}
	}
}

// breakPool fails everything queued with err, kills the other workers
// (their calls fail too) and refuses new work, as Python's
// BrokenProcessPool does.
func (p *ProcessPool) breakPool(err error) {
	p.q.breakQueue(err)
	p.procsMu.Lock()
	for w := range p.procs {
		w.cmd.Process.Kill()
	}
	p.procsMu.Unlock()
}

// Shutdown implements Executor. With wait, it returns when the worker
// processes have exited.
func (p *ProcessPool) Shutdown(wait, cancelFutures bool) error {
	return p.q.shutdownQueue(&p.pool, wait, cancelFutures)
}

// proc is a worker process as the pool sees it.
type proc struct {
	cmd   *exec.Cmd
	pid   int
	tx    *os.File // to the worker
	rx    *os.File // from the worker
	enc   *gob.Encoder
	dec   *gob.Decoder
	tasks int
}

// startTimeout bounds a worker's start: a program that forgot WorkerMain
// may run for ever instead of answering.
const startTimeout = 30 * time.Second

// spawn starts a worker process and waits for its hello.
func (p *ProcessPool) spawn() (*proc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBrokenPool, err)
	}
	childRx, tx, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBrokenPool, err)
	}
	rx, childTx, err := os.Pipe()
	if err != nil {
		childRx.Close()
		tx.Close()
		return nil, fmt.Errorf("%w: %v", ErrBrokenPool, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), workerEnv+"="+strconv.Quote(p.cfg.initName))
	cmd.ExtraFiles = []*os.File{childRx, childTx} // fds 3 and 4
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = remote.WorkerAttr()
	err = cmd.Start()
	childRx.Close()
	childTx.Close()
	if err != nil {
		tx.Close()
		rx.Close()
		return nil, fmt.Errorf("%w: starting a worker: %v", ErrBrokenPool, err)
	}
	w := &proc{cmd: cmd, pid: cmd.Process.Pid, tx: tx, rx: rx, enc: gob.NewEncoder(tx), dec: gob.NewDecoder(rx)}
	p.procsMu.Lock()
	p.procs[w] = true
	p.procsMu.Unlock()

	if p.cfg.initName != "" {
		if err := w.enc.Encode(request{Func: p.cfg.initName, N: 1, Args: p.cfg.initArg}); err != nil {
			return nil, w.died(err)
		}
	}
	timer := time.AfterFunc(startTimeout, func() { cmd.Process.Kill() })
	var h hello
	err = w.dec.Decode(&h)
	timer.Stop()
	if err != nil {
		err = w.died(err)
		p.forget(w)
		return nil, fmt.Errorf("%w (did the program call futures.WorkerMain at the start of main?)", err)
	}
	if h.InitErr != "" {
		p.retire(w)
		return nil, fmt.Errorf("%w: initializer %s failed in worker %d: %s", ErrBrokenPool, p.cfg.initName, w.pid, h.InitErr)
	}
	return w, nil
}

// call sends c to the worker and reads the reply.
func (w *proc) call(c *remoteCall) (*reply, error) {
	if err := w.enc.Encode(request{Func: c.name, N: c.n, Args: c.args}); err != nil {
		return nil, err
	}
	r := new(reply)
	if err := w.dec.Decode(r); err != nil {
		return nil, err
	}
	return r, nil
}

// died reaps a worker whose pipe failed and says why it stopped.
func (w *proc) died(cause error) error {
	w.tx.Close()
	w.rx.Close()
	if err := w.cmd.Wait(); err != nil {
		return fmt.Errorf("%w: worker process %d terminated abruptly: %v", ErrBrokenPool, w.pid, err)
	}
	return fmt.Errorf("%w: worker process %d exited: %v", ErrBrokenPool, w.pid, cause)
}

// retire ends a worker: closing its pipe tells it to exit.
func (p *ProcessPool) retire(w *proc) {
	w.tx.Close()
	w.cmd.Wait()
	w.rx.Close()
	p.forget(w)
}

func (p *ProcessPool) forget(w *proc) {
	p.procsMu.Lock()
	delete(p.procs, w)
	p.procsMu.Unlock()
}

// WorkerMain serves a ProcessPool's or a cluster pool's tasks and exits if
// this process was started as one of their workers; otherwise it returns
// at once. Call it first in main, and in TestMain for tests that use a
// ProcessPool or a cluster pool:
//
//	func main() {
//		futures.WorkerMain()
//		...
//	}
//
// A process started by hand, on any machine, joins a cluster pool (package
// runtime/futures/cluster) as a worker when its environment has
//
//	ASYNCGO_CLUSTER_WORKER=nats://[user:password@|token@]host:4222/POOL[?slots=N&creds=FILE&ca=FILE]
//
// naming the NATS server and the pool (see cluster.Name); slots is how many
// tasks it runs at once (default 1), creds a NATS credentials file, ca the
// certificate authority of a tls:// server. It serves until SIGINT or
// SIGTERM, then finishes its tasks and exits. Serving a cluster needs the
// cluster package linked in, which a program that uses one has; in a
// program that does not import it, WorkerMain exits with an error saying
// so.
func WorkerMain() {
	if spec, ok := os.LookupEnv(remote.ClusterEnv); ok {
		if remote.ServeCluster == nil {
			fmt.Fprintf(os.Stderr, "futures: %s is set, but this program does not import github.com/asyncgo/asyncgo/runtime/futures/cluster, which serves cluster pools: only a program that uses cluster.NewPool can be its worker\n", remote.ClusterEnv)
			os.Exit(2)
		}
		os.Exit(remote.ServeCluster(spec))
	}
	init, ok := os.LookupEnv(workerEnv)
	if !ok {
		return
	}
	initName, err := strconv.Unquote(init)
	if err != nil {
		fmt.Fprintf(os.Stderr, "futures: bad %s=%q\n", workerEnv, init)
		os.Exit(2)
	}
	os.Exit(serve(initName, os.NewFile(3, "tasks"), os.NewFile(4, "results")))
}

// serve runs requests until the pool closes the pipe.
func serve(initName string, rx, tx *os.File) int {
	dec, enc := gob.NewDecoder(rx), gob.NewEncoder(tx)
	ctx := context.Background()
	h := hello{PID: os.Getpid()}
	if initName != "" {
		var req request
		if err := dec.Decode(&req); err != nil {
			return 1
		}
		if r := run(ctx, req); len(r.Fails) > 0 {
			h.InitErr = r.Fails[0].Err
			if r.Fails[0].Panic {
				h.InitErr = "panic: " + h.InitErr
			}
		}
	}
	if err := enc.Encode(h); err != nil || h.InitErr != "" {
		return 1
	}
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			return 0 // the pool closed the pipe: shut down
		}
		if err := enc.Encode(run(ctx, req)); err != nil {
			return 1
		}
	}
}

func run(ctx context.Context, req request) *reply {
	fn, ok := lookup(req.Func)
	if !ok {
		r := &reply{}
		for i := range req.N {
			r.Fails = append(r.Fails, failure{Index: i, Err: "not registered in the worker process (register it in a package-level variable or init)"})
		}
		return r
	}
	return runChunk(ctx, fn, req.N, req.Args)
}

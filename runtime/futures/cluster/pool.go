package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"github.com/asyncgo/asyncgo/runtime/futures/internal/remote"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	// ErrPayloadTooLarge is matched (errors.Is) by the error of a task
	// whose encoded arguments or result exceed a Pool's message limit (see
	// MaxPayload): Submit returns it for arguments, the future fails with
	// it for a result.
	ErrPayloadTooLarge = errors.New("cluster: payload too large")

	// ErrTooManyDeliveries is matched (errors.Is) by the error of a
	// Pool's future whose task was delivered MaxDeliveries times
	// without a worker finishing it: its workers died, or ran past the ack
	// wait without answering, each time.
	ErrTooManyDeliveries = errors.New("cluster: task delivered too many times")
)

// Option configures a Pool.
type Option func(*config)

type config struct {
	url        string
	natsOpts   []nats.Option
	workers    int
	workersSet bool
	name       string
	ackWait    time.Duration
	maxDeliver int
	timeout    time.Duration
	maxPayload int
}

// URL makes a Pool use the NATS server (or cluster) at url, such as
// "nats://host:4222", instead of starting one in-process; opts
// (credentials, TLS, reconnection) go to nats.Connect. The server must
// have JetStream enabled. With a URL the pool starts no worker processes
// unless LocalWorkers says so: workers join from any machine by running
// the program with ASYNCGO_CLUSTER_WORKER set (see futures.WorkerMain).
func URL(url string, opts ...nats.Option) Option {
	return func(c *config) { c.url, c.natsOpts = url, opts }
}

// LocalWorkers sets how many worker processes a Pool starts on this
// machine from the program's own binary, each running one task at a time;
// one that dies is replaced. The default is runtime.NumCPU() with the
// embedded server, none with URL. Local workers of a URL pool connect with
// the URL alone: credentials must be in it.
func LocalWorkers(n int) Option {
	return func(c *config) { c.workers, c.workersSet = n, true }
}

// Name names a Pool: workers serve the pool of the name in their
// ASYNCGO_CLUSTER_WORKER, and clients of the same name on one NATS server
// share its workers. Letters, digits, '-' and '_' only. The default is
// "default" with URL, ClusterPoolExecutor-N otherwise.
func Name(name string) Option { return func(c *config) { c.name = name } }

// AckWait sets how long a task may go without word from its worker before
// JetStream delivers it to another (default 30s). A live worker says it is
// still at work three times per AckWait, so a long task is not redelivered;
// the AckWait is how soon a dead worker's task moves on.
func AckWait(d time.Duration) Option { return func(c *config) { c.ackWait = d } }

// MaxDeliveries sets how many times a task is delivered to workers before
// its future fails with ErrTooManyDeliveries (default 5).
func MaxDeliveries(n int) Option { return func(c *config) { c.maxDeliver = n } }

// TaskTimeout sets the deadline of each task, counted from Submit (default
// one hour). A task not finished by then fails with futures.ErrTimeout; a worker
// running it cancels its context and one that receives it later drops it,
// so the work of a client that disappeared does not run for ever.
func TaskTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// MaxPayload limits the size in bytes of a task's message (its encoded
// arguments and a small envelope) and of its result's. The default, and
// the most, is the NATS server's max_payload (1 MiB unless configured).
func MaxPayload(n int) Option { return func(c *config) { c.maxPayload = n } }

// Pool runs registered functions (see futures.Register) on worker
// processes anywhere, through a work queue on NATS JetStream: a
// futures.Executor like futures.ProcessPool whose queue, delivery and
// retries are JetStream's (Python users reach for dask.distributed or Ray
// here). A registered Func's Submit and Map, futures.Wait, AsCompleted and
// Shutdown work as for the other executors.
//
// By default the pool starts an in-process NATS server with JetStream
// (listening on 127.0.0.1 only, with a random token, its store in a
// temporary directory removed at Shutdown) and LocalWorkers worker
// processes from the program's own binary, so the program must call
// futures.WorkerMain at the start of main, as for a ProcessPool. With URL
// it uses an existing NATS server instead, and workers on any machine join
// by running the program with ASYNCGO_CLUSTER_WORKER=nats://host:4222/POOL
// (see futures.WorkerMain and WorkerURL; docs/cluster.md has the whole
// picture).
//
// Delivery is at least once: a task is acknowledged only after its worker
// has published the result, so a worker that dies mid-task has its task
// delivered to another after AckWait, up to MaxDeliveries times; a task
// may therefore run more than once, and functions submitted to a
// Pool should be idempotent. Each future completes once, with the
// first result. Unlike a thread's, a running task can be cancelled: Cancel
// succeeds until the result arrives, and cancels the context of the call
// in the worker. Running reports false for a Pool's futures: the worker,
// not the future, knows.
//
// If the connection to NATS is lost for good (the embedded server stopped,
// or nats.go gave up reconnecting), the pool breaks: its futures fail with
// futures.ErrBrokenPool.
type Pool struct {
	executor // futures' side: Func.Submit and Map reach sched.Schedule through it
	name     string
	cfg      config
	srv      *server.Server // the embedded server, or nil
	dir      string         // its store
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   string
	subject  string // tasks
	results  string // this client's results
	cancels  string
	workers  string // the consumer's name
	token    string // the embedded server's
	exe      string // the local workers' binary if not the program's (tests)
	workURL  string // what local workers connect to
	limit    int    // the largest message
	subs     []*nats.Subscription
	closing  chan struct{} // closed at teardown
	finished chan struct{} // closed when teardown is done

	mu       sync.Mutex
	idle     sync.Cond // broadcast when calls empties
	calls    map[uint64]*clusterCall
	bySeq    map[uint64]*clusterCall
	unstored map[uint64]bool // cancelled before JetStream said where it stored them
	nextID   uint64
	shutdown bool
	broken   error
	tearing  bool

	procsMu  sync.Mutex
	procs    map[*exec.Cmd]*os.File // live local workers and their lifelines
	stopping bool
	procWG   sync.WaitGroup
	stopOnce sync.Once
	teardown sync.Once
}

// executor is futures.Executor under a name that keeps Pool's embedded
// field unexported.
type executor = futures.Executor

// sched is the Pool as futures' side of it sees it.
type sched struct{ *Pool }

// clusterCall is a task the pool has sent and awaits.
type clusterCall struct {
	id       uint64
	fn       string
	job      *remote.Call // its future
	deadline time.Time
	timer    *time.Timer
	seq      uint64 // its sequence in the stream, once stored
	started  bool   // a worker said it started it
}

const consumerName = "workers"

var _ futures.Executor = (*Pool)(nil)

var poolNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func clusterSubjects(pool string) (stream, tasks, cancels, resultsPrefix string) {
	return "ASYNCGO_" + pool, "asyncgo." + pool + ".tasks", "asyncgo." + pool + ".cancel", "asyncgo." + pool + ".results."
}

// NewPool returns a cluster pool, ready for tasks: with the embedded
// server started and the work queue created (local workers start
// meanwhile), or connected to URL's server. It fails inside a worker
// process: the program must call futures.WorkerMain first.
func NewPool(opts ...Option) (*Pool, error) {
	if os.Getenv(remote.WorkerEnv) != "" || os.Getenv(remote.ClusterEnv) != "" {
		return nil, errors.New("cluster: NewPool called in a worker process: call futures.WorkerMain at the start of main")
	}
	c := config{ackWait: 30 * time.Second, maxDeliver: 5, timeout: time.Hour}
	for _, o := range opts {
		o(&c)
	}
	if !c.workersSet {
		if c.url == "" {
			c.workers = runtime.NumCPU()
		}
	}
	switch {
	case c.workers < 0 || (c.workers == 0 && c.url == ""):
		return nil, errors.New("cluster: LocalWorkers must be greater than 0 with the embedded server")
	case c.ackWait <= 0, c.timeout <= 0:
		return nil, errors.New("cluster: AckWait and TaskTimeout must be greater than 0")
	case c.maxDeliver <= 0:
		return nil, errors.New("cluster: MaxDeliveries must be greater than 0")
	case c.maxPayload < 0:
		return nil, errors.New("cluster: MaxPayload must not be negative")
	}
	if c.name == "" {
		if c.url != "" {
			c.name = "default"
		} else {
			c.name = "ClusterPoolExecutor-" + strconv.FormatInt(remote.NextPoolSeq(), 10)
		}
	}
	if !poolNameRE.MatchString(c.name) {
		return nil, fmt.Errorf("cluster: pool name %q: use letters, digits, '-' and '_'", c.name)
	}
	p := &Pool{
		name:     c.name,
		cfg:      c,
		calls:    map[uint64]*clusterCall{},
		bySeq:    map[uint64]*clusterCall{},
		unstored: map[uint64]bool{},
		procs:    map[*exec.Cmd]*os.File{},
		closing:  make(chan struct{}),
		finished: make(chan struct{}),
		exe:      workerExe,
	}
	p.idle.L = &p.mu
	p.executor = remote.NewExecutor(c.name, c.workers, sched{p}).(futures.Executor)
	var prefix string
	p.stream, p.subject, p.cancels, prefix = clusterSubjects(c.name)
	p.workers = consumerName
	if err := p.connect(); err != nil {
		p.close()
		return nil, err
	}
	p.results = prefix + p.nc.NewInbox()[len(nats.InboxPrefix):]
	if err := p.setUp(); err != nil {
		p.close()
		return nil, err
	}
	for range c.workers {
		p.procWG.Add(1)
		go p.keepWorker()
	}
	return p, nil
}

// connect starts the embedded server if there is no URL, and connects.
func (p *Pool) connect() error {
	opts := []nats.Option{nats.Name("asyncgo " + p.name + " client")}
	url := p.cfg.url
	if url == "" {
		dir, err := os.MkdirTemp("", "asyncgo-cluster-")
		if err != nil {
			return fmt.Errorf("cluster: %s: %w", p, err)
		}
		p.dir = dir
		tok := make([]byte, 16)
		rand.Read(tok)
		p.token = hex.EncodeToString(tok)
		s, err := server.NewServer(&server.Options{
			ServerName:    "asyncgo-" + p.name,
			Host:          "127.0.0.1",
			Port:          server.RANDOM_PORT,
			NoLog:         true,
			NoSigs:        true,
			JetStream:     true,
			StoreDir:      dir,
			Authorization: p.token,
		})
		if err != nil {
			return fmt.Errorf("cluster: %s: starting the embedded NATS server: %w", p, err)
		}
		p.srv = s
		s.Start()
		if !s.ReadyForConnections(10 * time.Second) {
			return fmt.Errorf("cluster: %s: the embedded NATS server did not start", p)
		}
		url = s.ClientURL()
		opts = append(opts, nats.InProcessServer(s), nats.Token(p.token), nats.NoReconnect())
		u, err := neturlWithPool(url, p.name)
		if err != nil {
			return fmt.Errorf("cluster: %s: %w", p, err)
		}
		p.workURL = strings.Replace(u, "://", "://"+p.token+"@", 1)
	} else {
		opts = append(opts, p.cfg.natsOpts...)
		u, err := neturlWithPool(url, p.name)
		if err != nil {
			return fmt.Errorf("cluster: %s: %w", p, err)
		}
		p.workURL = u
	}
	opts = append(opts, nats.ClosedHandler(p.connClosed)) // after the user's: the pool needs it
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("cluster: %s: connecting to NATS: %w", p, err)
	}
	p.nc = nc
	return nil
}

// neturlWithPool is url with the pool's name as its path, as a worker's
// ASYNCGO_CLUSTER_WORKER takes it.
func neturlWithPool(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("bad NATS URL %q", raw)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// setUp creates the work queue and subscribes to results, cancellations
// and JetStream's advisories.
func (p *Pool) setUp() error {
	p.limit = int(p.nc.MaxPayload())
	if p.cfg.maxPayload > 0 && p.cfg.maxPayload < p.limit {
		p.limit = p.cfg.maxPayload
	}
	js, err := jetstream.New(p.nc,
		jetstream.WithPublishAsyncMaxPending(1<<16),
		jetstream.WithPublishAsyncTimeout(30*time.Second),
		jetstream.WithPublishAsyncAckHandler(p.stored),
		jetstream.WithPublishAsyncErrHandler(p.notStored))
	if err != nil {
		return fmt.Errorf("cluster: %s: %w", p, err)
	}
	p.js = js
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        p.stream,
		Description: "asyncgo cluster pool " + p.name + ": tasks",
		Subjects:    []string{p.subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      p.cfg.timeout,
	}); err != nil {
		return fmt.Errorf("cluster: %s: creating the stream %s (is JetStream enabled?): %w", p, p.stream, err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, p.stream, jetstream.ConsumerConfig{
		Durable:       p.workers,
		Description:   "asyncgo cluster pool " + p.name + ": workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       p.cfg.ackWait,
		MaxDeliver:    p.cfg.maxDeliver,
		FilterSubject: p.subject,
	}); err != nil {
		return fmt.Errorf("cluster: %s: creating the consumer: %w", p, err)
	}
	for subj, h := range map[string]nats.MsgHandler{
		p.results: p.onResult,
		"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + p.stream + "." + p.workers: p.onMaxDeliveries,
	} {
		sub, err := p.nc.Subscribe(subj, h)
		if err != nil {
			return fmt.Errorf("cluster: %s: %w", p, err)
		}
		sub.SetPendingLimits(-1, -1) // a dropped result would hang its future
		p.subs = append(p.subs, sub)
	}
	return p.nc.FlushTimeout(10 * time.Second)
}

// MaxWorkers reports how many local worker processes the pool keeps.
func (p *Pool) MaxWorkers() int { return p.cfg.workers }

// String names the pool and its server.
func (p *Pool) String() string {
	where := "embedded NATS"
	if p.cfg.url != "" {
		where = p.cfg.url
	}
	return fmt.Sprintf("cluster.Pool(%s, %s)", p.name, where)
}

// WorkerURL is the value of ASYNCGO_CLUSTER_WORKER that makes a process
// of this program a worker of p (see futures.WorkerMain). For the embedded server,
// it carries the server's token and loopback address.
func (p *Pool) WorkerURL() string { return p.workURL }

// Schedule publishes a registered function's call: futures' side of the
// pool hands it every Func.Submit and Func.Map chunk.
func (s sched) Schedule(r *remote.Call) error {
	p := s.Pool
	c := &clusterCall{fn: r.Func, job: r, deadline: time.Now().Add(p.cfg.timeout)}
	p.mu.Lock()
	if err := p.refuseLocked(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.nextID++
	c.id = p.nextID
	p.mu.Unlock()

	data := (&clusterTask{id: c.id, deadline: c.deadline, limit: p.limit, n: r.N, fn: r.Func, reply: p.results, args: r.Args}).encode()
	if len(data) > p.limit {
		return fmt.Errorf("%w: the arguments of %s make a %d-byte message; %s takes at most %d (MaxPayload, or the server's max_payload)",
			ErrPayloadTooLarge, r.Func, len(data), p, p.limit)
	}
	p.mu.Lock()
	if err := p.refuseLocked(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.calls[c.id] = c
	c.timer = time.AfterFunc(p.cfg.timeout, func() { p.expire(c) })
	p.mu.Unlock()
	r.OnDone(func() { p.done(c) })

	msg := &nats.Msg{Subject: p.subject, Data: data}
	for {
		_, err := p.js.PublishMsgAsync(msg)
		if err == nil {
			return nil
		}
		if errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
			continue // JetStream is behind: wait for it
		}
		p.forget(c)
		return fmt.Errorf("cluster: %s: publishing %s: %w", p, r.Func, err)
	}
}

func (p *Pool) refuseLocked() error {
	switch {
	case p.broken != nil:
		return p.broken
	case p.shutdown:
		return futures.ErrShutdown
	}
	return nil
}

// forget removes c from the calls awaited and reports whether it was
// there: whoever removes it completes its future.
func (p *Pool) forget(c *clusterCall) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forgetLocked(c)
}

func (p *Pool) forgetLocked(c *clusterCall) bool {
	if p.calls[c.id] != c {
		return false
	}
	delete(p.calls, c.id)
	if c.seq != 0 {
		delete(p.bySeq, c.seq)
	}
	c.timer.Stop()
	if len(p.calls) == 0 {
		p.idle.Broadcast()
	}
	return true
}

// stored records where JetStream stored a task; it runs on nats.go's ack
// goroutine.
func (p *Pool) stored(_ jetstream.JetStream, m *nats.Msg, ack *jetstream.PubAck) {
	id, _ := taskID(m.Data)
	p.mu.Lock()
	c := p.calls[id]
	if c != nil {
		c.seq = ack.Sequence
		p.bySeq[c.seq] = c
	}
	cancelled := p.unstored[id]
	delete(p.unstored, id)
	p.mu.Unlock()
	if cancelled {
		p.deleteMsg(ack.Sequence)
	}
}

// notStored fails a task JetStream did not take.
func (p *Pool) notStored(_ jetstream.JetStream, m *nats.Msg, err error) {
	id, _ := taskID(m.Data)
	p.mu.Lock()
	c := p.calls[id]
	delete(p.unstored, id)
	p.mu.Unlock()
	if c != nil && p.forget(c) {
		c.job.Fail(fmt.Errorf("cluster: %s: JetStream did not store %s: %w", p, c.fn, err))
	}
}

// onResult completes a future from its worker's message; a second result
// of a task delivered twice finds nothing to complete.
func (p *Pool) onResult(m *nats.Msg) {
	id, kind, body, err := decodeResult(m.Data)
	if err != nil {
		return
	}
	p.mu.Lock()
	c := p.calls[id]
	if c == nil {
		p.mu.Unlock()
		return
	}
	if kind == resultStarted {
		c.started = true
		p.mu.Unlock()
		return
	}
	p.forgetLocked(c)
	p.mu.Unlock()
	switch kind {
	case resultDone:
		r, err := decodeReply(body)
		if err != nil {
			c.job.Fail(fmt.Errorf("cluster: %s: decoding the reply of %s: %w", p, c.fn, err))
			return
		}
		c.job.Finish(r)
	case resultTooLarge:
		c.job.Fail(fmt.Errorf("%w: %s", ErrPayloadTooLarge, body))
	default:
		c.job.Fail(fmt.Errorf("cluster: %s: unknown reply kind %d for %s", p, kind, c.fn))
	}
}

// onMaxDeliveries fails the future of a task JetStream gave up on.
func (p *Pool) onMaxDeliveries(m *nats.Msg) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if json.Unmarshal(m.Data, &adv) != nil {
		return
	}
	p.mu.Lock()
	c := p.bySeq[adv.StreamSeq]
	ok := c != nil && p.forgetLocked(c)
	p.mu.Unlock()
	if !ok {
		return
	}
	p.deleteMsg(adv.StreamSeq)
	c.job.Fail(fmt.Errorf("%w: %s was delivered %d times and no worker finished it: each died, or went silent for longer than the ack wait (%v), while running it",
		ErrTooManyDeliveries, c.fn, adv.Deliveries, p.cfg.ackWait))
}

// expire fails a task past its deadline; its worker stops it then too.
func (p *Pool) expire(c *clusterCall) {
	if !p.forget(c) {
		return
	}
	p.sendCancel(c)
	c.job.Fail(fmt.Errorf("%w: %s did not finish within its TaskTimeout (%v)", futures.ErrTimeout, c.fn, p.cfg.timeout))
}

// done runs when a future is done; if its task was still awaited, the
// future was cancelled: workers are told to stop it.
func (p *Pool) done(c *clusterCall) {
	if p.forget(c) {
		p.sendCancel(c)
	}
}

func (p *Pool) sendCancel(c *clusterCall) {
	p.nc.Publish(p.cancels, encodeCancel(c.id, c.deadline, p.results))
	p.mu.Lock()
	seq := c.seq
	if seq == 0 {
		p.unstored[c.id] = true // stored deletes it
	}
	p.mu.Unlock()
	if seq != 0 {
		p.deleteMsg(seq)
	}
}

// deleteMsg removes a task from the stream if it is still there, without
// waiting for the answer.
func (p *Pool) deleteMsg(seq uint64) {
	body, _ := json.Marshal(map[string]any{"seq": seq, "no_erase": true})
	p.nc.Publish("$JS.API.STREAM.MSG.DELETE."+p.stream, body)
}

// connClosed breaks the pool when the connection ends before Shutdown.
func (p *Pool) connClosed(nc *nats.Conn) {
	select {
	case <-p.closing:
		return
	default:
	}
	cause := "the connection was closed"
	if err := nc.LastError(); err != nil {
		cause = err.Error()
	}
	if p.srv != nil {
		cause = "the embedded NATS server stopped: " + cause
	}
	p.breakPool(fmt.Errorf("%w: %s lost NATS: %s", futures.ErrBrokenPool, p, cause))
}

// breakPool fails every awaited future with err, refuses new tasks and
// stops the local workers.
func (p *Pool) breakPool(err error) {
	p.mu.Lock()
	if p.broken == nil {
		p.broken = err
	}
	var calls []*clusterCall
	for _, c := range p.calls {
		calls = append(calls, c)
	}
	for _, c := range calls {
		p.forgetLocked(c)
	}
	p.mu.Unlock()
	for _, c := range calls {
		c.job.Fail(err)
	}
	p.stopWorkers(true)
}

// Shutdown implements futures.Executor. With cancelFutures it cancels the tasks no
// worker has started; with wait it returns once every future is done, the
// local workers have exited and the embedded server has stopped, its store
// removed.
func (p *Pool) Shutdown(wait, cancelFutures bool) error {
	p.mu.Lock()
	p.shutdown = true
	var queued []*remote.Call
	if cancelFutures {
		for _, c := range p.calls {
			if !c.started {
				queued = append(queued, c.job)
			}
		}
	}
	p.mu.Unlock()
	for _, j := range queued {
		j.Cancel()
	}
	p.teardown.Do(func() { go p.closeWhenIdle() })
	if wait {
		<-p.finished
	}
	return nil
}

// closeWhenIdle waits for the futures still awaited, then stops
// everything.
func (p *Pool) closeWhenIdle() {
	p.mu.Lock()
	for len(p.calls) > 0 {
		p.idle.Wait()
	}
	p.mu.Unlock()
	p.close()
	close(p.finished)
}

// close stops the local workers, the connection and the embedded server.
func (p *Pool) close() {
	close(p.closing)
	p.stopWorkers(false)
	if p.nc != nil {
		p.nc.Close()
	}
	if p.srv != nil {
		p.srv.Shutdown()
		p.srv.WaitForShutdown()
	}
	if p.dir != "" {
		os.RemoveAll(p.dir)
	}
}

// stopWorkerGrace is how long a local worker has to finish at Shutdown
// before it is killed.
const stopWorkerGrace = 10 * time.Second

// stopWorkers ends the local workers: closing a worker's lifeline tells it
// to finish its task and exit; kill does not wait.
func (p *Pool) stopWorkers(kill bool) {
	p.procsMu.Lock()
	p.stopping = true
	for cmd, lifeline := range p.procs {
		if kill {
			cmd.Process.Kill()
		}
		lifeline.Close()
	}
	p.procsMu.Unlock()
	p.stopOnce.Do(func() {
		done := make(chan struct{})
		go func() { p.procWG.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(stopWorkerGrace):
			p.procsMu.Lock()
			for cmd := range p.procs {
				cmd.Process.Kill()
			}
			p.procsMu.Unlock()
			<-done
		}
	})
}

// workerExe replaces the program's binary as the local workers' in tests.
var workerExe string

// keepWorker runs one local worker process, replacing it when it dies,
// until the pool stops. Workers that exit before serving, three times in a
// row, break the pool: the program does not call futures.WorkerMain, or cannot
// reach the server.
func (p *Pool) keepWorker() {
	defer p.procWG.Done()
	exe, err := os.Executable()
	if p.exe != "" {
		exe, err = p.exe, nil
	}
	if err != nil {
		go p.breakPool(fmt.Errorf("%w: %s: %v", futures.ErrBrokenPool, p, err))
		return
	}
	for failed := 0; ; {
		cmd, ready, err := p.spawnWorker(exe)
		if err != nil {
			go p.breakPool(fmt.Errorf("%w: %s: starting a worker: %v", futures.ErrBrokenPool, p, err))
			return
		}
		if cmd == nil {
			return // stopping
		}
		werr := cmd.Wait()
		p.procsMu.Lock()
		p.procs[cmd].Close()
		delete(p.procs, cmd)
		stopping := p.stopping
		p.procsMu.Unlock()
		if stopping {
			return
		}
		if served := <-ready; served {
			failed = 0
		} else if failed++; failed == 3 {
			go p.breakPool(fmt.Errorf("%w: %s: worker process %d exited before serving the pool (%v), 3 times in a row (did the program call futures.WorkerMain at the start of main?)",
				futures.ErrBrokenPool, p, cmd.Process.Pid, werr))
			return
		}
		// It died: JetStream redelivers its task; a new worker takes over.
		select {
		case <-p.closing:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// spawnWorker starts a local worker and reports on ready whether it came
// to serve the pool before it exited; it returns a nil command if the
// pool is stopping.
func (p *Pool) spawnWorker(exe string) (*exec.Cmd, <-chan bool, error) {
	u, err := url.Parse(p.workURL)
	if err != nil {
		return nil, nil, err
	}
	q := u.Query()
	q.Set("slots", "1")
	u.RawQuery = q.Encode()
	lifeline, keep, err := os.Pipe() // the worker reads, the pool keeps the other end
	if err != nil {
		return nil, nil, err
	}
	defer lifeline.Close()
	readyR, readyW, err := os.Pipe() // the worker writes a byte once it serves
	if err != nil {
		keep.Close()
		return nil, nil, err
	}
	defer readyW.Close()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), remote.ClusterEnv+"="+u.String(), lifelineEnv+"=3")
	cmd.ExtraFiles = []*os.File{lifeline, readyW} // fds 3 and 4
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = remote.WorkerAttr()
	p.procsMu.Lock()
	defer p.procsMu.Unlock()
	if !p.stopping {
		err = cmd.Start()
	}
	if p.stopping || err != nil {
		keep.Close()
		readyR.Close()
		return nil, nil, err
	}
	p.procs[cmd] = keep
	ready := make(chan bool, 1)
	go func() {
		n, _ := readyR.Read(make([]byte, 1)) // a byte, or the end when it exits
		readyR.Close()
		ready <- n > 0
	}()
	return cmd, ready, nil
}

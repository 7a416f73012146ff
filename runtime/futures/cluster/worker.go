package cluster

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures/internal/remote"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// clusterEnv makes a process a worker of a Pool (see futures.WorkerMain):
//
//	ASYNCGO_CLUSTER_WORKER=nats://[user:password@|token@]host:4222/POOL[?slots=N&creds=FILE&ca=FILE]
//
// The path names the pool (Name); slots is how many tasks the worker runs
// at once (default 1); creds is a NATS credentials file, ca the
// certificate authority of a tls:// server.
const clusterEnv = remote.ClusterEnv

// futures.WorkerMain serves a cluster through this package: a program
// that uses a Pool links it, and so can be its worker.
func init() { remote.ServeCluster = serveCluster }

// lifelineEnv names the descriptor of a local worker's lifeline: a pipe
// from its pool, whose end tells it to stop. A local worker also writes a
// byte to descriptor 4 once it serves.
const lifelineEnv = "ASYNCGO_CLUSTER_LIFELINE"

// clusterWorker is the state of a worker process of a Pool.
type clusterWorker struct {
	nc      *nats.Conn
	ackWait time.Duration

	mu        sync.Mutex
	running   map[cancelKey]context.CancelFunc
	cancelled map[cancelKey]time.Time // until the task's deadline
}

// serveCluster runs a Pool's tasks until SIGINT, SIGTERM or the end
// of its lifeline; it returns the exit status.
func serveCluster(spec string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "cluster: worker %d: %s\n", os.Getpid(), fmt.Sprintf(format, args...))
		return 2
	}
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		return fail("bad %s: want nats://host:port/POOL", clusterEnv)
	}
	pool := strings.Trim(u.Path, "/")
	if !poolNameRE.MatchString(pool) {
		return fail("%s=%s names no pool: want nats://host:port/POOL", clusterEnv, u.Redacted())
	}
	q := u.Query()
	slots := 1
	if s := q.Get("slots"); s != "" {
		if slots, err = strconv.Atoi(s); err != nil || slots < 1 {
			return fail("bad slots=%q in %s", s, clusterEnv)
		}
	}
	opts := []nats.Option{nats.Name(fmt.Sprintf("asyncgo %s worker %d", pool, os.Getpid())), nats.MaxReconnects(-1)}
	if f := q.Get("creds"); f != "" {
		opts = append(opts, nats.UserCredentials(f))
	}
	if f := q.Get("ca"); f != "" {
		opts = append(opts, nats.RootCAs(f))
	}
	u.Path, u.RawQuery = "", ""

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if fd := os.Getenv(lifelineEnv); fd != "" {
		n, err := strconv.Atoi(fd)
		if err != nil {
			return fail("bad %s=%q", lifelineEnv, fd)
		}
		lifeline := os.NewFile(uintptr(n), "lifeline")
		go func() {
			io.Copy(io.Discard, lifeline) // until the pool closes it or dies
			stop()
		}()
	}

	nc, err := nats.Connect(u.String(), opts...)
	if err != nil {
		return fail("connecting to %s: %v", u.Redacted(), err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fail("%v", err)
	}
	stream, _, cancels, _ := clusterSubjects(pool)
	var cons jetstream.Consumer
	for said := false; ; {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		cons, err = js.Consumer(cctx, stream, consumerName)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return 0
		}
		if !said { // a worker may start before its pool: wait for it
			fmt.Fprintf(os.Stderr, "cluster: worker %d: waiting for pool %s on %s (%v)\n", os.Getpid(), pool, u.Redacted(), err)
			said = true
		}
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(time.Second):
		}
	}
	ackWait := cons.CachedInfo().Config.AckWait
	if ackWait <= 0 {
		ackWait = 30 * time.Second // JetStream's default
	}
	w := &clusterWorker{
		nc:        nc,
		ackWait:   ackWait,
		running:   map[cancelKey]context.CancelFunc{},
		cancelled: map[cancelKey]time.Time{},
	}
	sub, err := nc.Subscribe(cancels, w.onCancel)
	if err != nil {
		return fail("%v", err)
	}
	sub.SetPendingLimits(-1, -1)
	// Each slot asks for one task when it is free (a consumer of one
	// message pulls the next only when its handler returns), so that no
	// task waits in a buffer here while its ack wait runs out. Pull
	// requests expire after 5 s and are renewed, so that a request the
	// server lost costs seconds, not the default 30.
	var closed []<-chan struct{}
	for range slots {
		cc, err := cons.Consume(func(m jetstream.Msg) {
			if ctx.Err() != nil {
				m.Nak() // stopping: back to the queue
				return
			}
			w.handle(m)
		}, jetstream.PullMaxMessages(1), jetstream.PullExpiry(5*time.Second), jetstream.ConsumeErrHandler(func(jetstream.ConsumeContext, error) {
			// missed heartbeats, reconnections: nats.go pulls again
		}))
		if err != nil {
			return fail("%v", err)
		}
		context.AfterFunc(ctx, cc.Drain)
		closed = append(closed, cc.Closed())
	}
	if os.Getenv(lifelineEnv) != "" { // a local worker: tell the pool it serves
		ready := os.NewFile(4, "ready")
		ready.Write([]byte{1})
		ready.Close()
	}
	<-ctx.Done()
	for _, c := range closed {
		<-c
	}
	nc.Flush()
	return 0
}

// handle runs one task: it says it started, keeps JetStream from
// redelivering it while it runs, publishes the result and only then
// acknowledges the task.
func (w *clusterWorker) handle(m jetstream.Msg) {
	t, err := decodeTask(m.Data())
	if err != nil {
		m.TermWithReason("asyncgo: malformed task")
		return
	}
	if time.Now().After(t.deadline) {
		m.TermWithReason("asyncgo: past its deadline")
		return
	}
	key := cancelKey{t.reply, t.id}
	ctx, cancel := context.WithDeadline(context.Background(), t.deadline)
	defer cancel()
	w.mu.Lock()
	if _, ok := w.cancelled[key]; ok {
		w.mu.Unlock()
		m.TermWithReason("asyncgo: cancelled")
		return
	}
	w.running[key] = cancel
	w.mu.Unlock()

	w.nc.Publish(t.reply, encodeResult(t.id, resultStarted, nil))
	stopBeat := w.heartbeat(m)
	r := remote.Run(ctx, t.fn, t.n, t.args)
	stopBeat()

	w.mu.Lock()
	delete(w.running, key)
	_, cancelled := w.cancelled[key]
	w.mu.Unlock()
	if cancelled {
		m.TermWithReason("asyncgo: cancelled")
		return
	}
	if ctx.Err() != nil { // past the deadline: the client fails the future
		m.TermWithReason("asyncgo: past its deadline")
		return
	}
	data := encodeReply(t.id, r)
	if len(data) > t.limit {
		data = encodeResult(t.id, resultTooLarge, nil, []byte(fmt.Sprintf(
			"the result of %s makes a %d-byte message; the pool takes at most %d (MaxPayload, or the server's max_payload)", t.fn, len(data), t.limit))...)
	}
	if err := w.nc.Publish(t.reply, data); err != nil {
		m.Nak() // not published: someone else tries
		return
	}
	m.Ack() // after the result, on the same connection: the server sees them in order
}

// heartbeat tells JetStream the task is in progress, three times per ack
// wait, until the returned function is called.
func (w *clusterWorker) heartbeat(m jetstream.Msg) (stop func()) {
	var mu sync.Mutex
	stopped := false
	var t *time.Timer
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(w.ackWait/3, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			m.InProgress()
			t.Reset(w.ackWait / 3)
		}
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// onCancel cancels the context of a running task, and remembers the task
// so that a later delivery of it is dropped.
func (w *clusterWorker) onCancel(m *nats.Msg) {
	key, deadline, err := decodeCancel(m.Data)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.cancelled) >= 4096 {
		now := time.Now()
		for k, until := range w.cancelled {
			if now.After(until) {
				delete(w.cancelled, k)
			}
		}
	}
	w.cancelled[key] = deadline
	if cancel := w.running[key]; cancel != nil {
		cancel()
	}
}

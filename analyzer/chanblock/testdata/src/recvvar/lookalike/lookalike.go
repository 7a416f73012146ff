// Package lookalike holds code that resembles the session-25 chanrecv
// variants (testdata/src/recvvar) but does not block: each must stay
// silent.
package lookalike

import (
	"context"
	"io"
	"log"
	"os/exec"
	"sync"
	"time"
)

// A runner whose Wait loops in a select with a progress ticker, like
// recvvar/selectloop, but whose context case returns: the wait can end
// without the done channel, so the failed start strands nobody.
type ctxRunner struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func (r *ctxRunner) Start(bin string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(bin)
	r.done = make(chan struct{})
	if err := r.cmd.Start(); err != nil {
		return err
	}
	cmd, done := r.cmd, r.done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return nil
}

func (r *ctxRunner) Wait(ctx context.Context) error {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			log.Print("still waiting")
		}
	}
}

// A closer started through a helper that the maker calls before anything
// can fail: every path that leaves the channel in the field has started
// its closer.
type earlyWatch struct {
	done chan struct{}
	cmd  *exec.Cmd
}

func (w *earlyWatch) watch() {
	go func() {
		defer close(w.done)
		if w.cmd.Process != nil {
			_, _ = w.cmd.Process.Wait()
		}
	}()
}

func (w *earlyWatch) Start(bin string) error {
	w.cmd = exec.Command(bin)
	w.done = make(chan struct{})
	w.watch()
	return w.cmd.Start()
}

func (w *earlyWatch) Wait() { <-w.done }

// An error channel handed out bidirectional by an exported accessor:
// code in other packages may send on it or close it, so the goroutine
// that skips its send on success is not the only waker the package can
// see (compare recvvar/recvaccessor, whose accessor returns <-chan error).
type Job struct {
	errCh chan error
}

func (j *Job) Errors() chan error { return j.errCh }

func StartJob(run func() error) *Job {
	j := &Job{errCh: make(chan error, 1)}
	go func() {
		if err := run(); err != nil {
			j.errCh <- err
		}
	}()
	return j
}

func CheckJob(run func() error) error {
	return <-StartJob(run).Errors()
}

// A flusher that serves for the program's life: its for-select over a
// ticker never returns, but nothing stops the ticker either, so no Stop
// was meant to end it.
type flusher struct {
	ticker *time.Ticker
	in     chan []byte
	buf    [][]byte
}

func newFlusher() *flusher {
	f := &flusher{ticker: time.NewTicker(time.Second), in: make(chan []byte)}
	go f.run()
	return f
}

func (f *flusher) run() {
	for {
		select {
		case <-f.ticker.C:
			f.buf = f.buf[:0]
		case b := <-f.in:
			f.buf = append(f.buf, b)
		}
	}
}

func (f *flusher) Add(b []byte) { f.in <- b }

// A request loop started as a method on the object that keeps the
// channel (like recvvar/servedmethod), whose select also returns on a
// quit channel Close closes: Close ends it without closing reqCh.
type server struct {
	reqCh chan int
	quit  chan struct{}
}

func newServer() *server {
	s := &server{reqCh: make(chan int), quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *server) loop() {
	for {
		select {
		case v, ok := <-s.reqCh:
			if !ok {
				return
			}
			_ = v
		case <-s.quit:
			return
		}
	}
}

func (s *server) Do(v int) {
	select {
	case s.reqCh <- v:
	case <-s.quit:
	}
}

func (s *server) Close() { close(s.quit) }

// Timers kept in a map and looked up with ok (like recvvar/timermap),
// whose waiters also watch a done channel closed beside each Stop.
type timerQueue struct {
	mu     sync.Mutex
	timers map[string]*time.Timer
	dones  map[string]chan struct{}
	fire   func(string)
}

func (q *timerQueue) wait(key string, t *time.Timer, done chan struct{}) {
	select {
	case <-t.C:
		q.fire(key)
	case <-done:
	}
}

func (q *timerQueue) Add(key string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, done := time.NewTimer(d), make(chan struct{})
	q.timers[key], q.dones[key] = t, done
	go q.wait(key, t, done)
}

func (q *timerQueue) Forget(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.timers[key]; ok {
		t.Stop()
		close(q.dones[key])
		delete(q.timers, key)
		delete(q.dones, key)
	}
}

// A container whose exit channel an exported accessor hands out
// bidirectional (compare recvvar/startaccessor, whose accessor returns
// <-chan uint32): a caller in another package may send the exit code or
// close the channel itself, so the failed start is not proven to strand
// the waiter.
type Container struct {
	id     string
	exitCh chan uint32
}

func NewContainer(id string) *Container {
	return &Container{id: id, exitCh: make(chan uint32, 1)}
}

func (c *Container) ExitCh() chan uint32 { return c.exitCh }

type Sandbox interface {
	StartContainer(id string) error
}

func StartContainer(sb Sandbox, c *Container, reap func(string) int32) error {
	if err := sb.StartContainer(c.id); err != nil {
		return err
	}
	go func() {
		c.exitCh <- uint32(reap(c.id))
	}()
	return nil
}

func WaitContainer(c *Container) uint32 {
	return <-c.ExitCh()
}

// Two goroutines a start launches in turn (chanrecv/kata_2087's copier
// and reaper): the copier, handed the IO-done channel, closes it; the
// reaper, started after it, waits for it. When the start fails before
// both, neither runs, so the reaper's wait strands nobody.
type task struct {
	ioDone chan struct{}
	exit   chan int
}

func newTask() *task { return &task{ioDone: make(chan struct{}), exit: make(chan int, 1)} }

func copyIO(done chan struct{}, r io.Reader) {
	defer close(done)
	_, _ = io.Copy(io.Discard, r)
}

func reap(t *task, wait func() int) {
	<-t.ioDone
	t.exit <- wait()
}

func startTask(t *task, open func() (io.Reader, error), wait func() int) error {
	r, err := open()
	if err != nil {
		return err
	}
	go copyIO(t.ioDone, r)
	go reap(t, wait)
	return nil
}

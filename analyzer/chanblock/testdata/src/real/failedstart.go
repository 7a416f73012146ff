package real

import (
	"errors"
	"net"
	"sync"
)

// Upstream: kata-containers/kata-containers#2087. The shim's container
// gets its exit-code channel (one slot) when it is created; the only
// goroutine that ever sends on it is the reaper that startContainer
// launches as its last step. Each failure before that returns the error
// and leaves the channel unfed, and the Wait RPC, which receives the code
// and puts it back for the next waiter, hangs for ever. Fix
// (kata-containers#2089): send an exit code on the channel when the start
// fails.
type vmHost interface {
	Boot(id string) error
	Reap(id string) (uint32, error)
}

type shimTask struct {
	id     string
	exitCh chan uint32
}

func newShimTask(id string) *shimTask {
	return &shimTask{id: id, exitCh: make(chan uint32, 1)}
}

type shimService struct {
	mu    sync.Mutex
	host  vmHost
	tasks map[string]*shimTask
}

func (s *shimService) Create(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks[id] = newShimTask(id)
}

func (s *shimService) Start(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return startShimTask(s, s.tasks[id])
}

func startShimTask(s *shimService, t *shimTask) error {
	if err := s.host.Boot(t.id); err != nil {
		return err
	}
	go reapShimTask(s, t)
	return nil
}

func reapShimTask(s *shimService, t *shimTask) {
	code, err := s.host.Reap(t.id)
	if err != nil {
		code = 255
	}
	t.exitCh <- code
}

func (s *shimService) Wait(id string) uint32 {
	s.mu.Lock()
	t := s.tasks[id]
	s.mu.Unlock()
	code := <-t.exitCh // want `this receive waits on field exitCh of shimTask, made at line \d+; only the goroutine startShimTask starts at line \d+ closes or sends on it, but startShimTask returns the error at line \d+ first`
	t.exitCh <- code
	return code
}

// The fix: the failed start hands the waiter an exit code itself.
type shimTaskFixed struct {
	id     string
	exitCh chan uint32
}

func newShimTaskFixed(id string) *shimTaskFixed {
	return &shimTaskFixed{id: id, exitCh: make(chan uint32, 1)}
}

func startShimTaskFixed(host vmHost, t *shimTaskFixed) (err error) {
	defer func() {
		if err != nil {
			t.exitCh <- 255
		}
	}()
	if err := host.Boot(t.id); err != nil {
		return err
	}
	go func() {
		code, _ := host.Reap(t.id)
		t.exitCh <- code
	}()
	return nil
}

func (t *shimTaskFixed) Wait() uint32 {
	code := <-t.exitCh
	t.exitCh <- code
	return code
}

// The same mistake written differently: the constructor assigns the
// channel, a Run method starts the serving method once the listener is
// up, and Close waits for the serving loop's close of done, which never
// comes when Listen failed ...
type echoServer struct {
	ln   net.Listener
	done chan struct{}
}

func newEchoServer() *echoServer {
	s := &echoServer{}
	s.done = make(chan struct{})
	return s
}

func (s *echoServer) Run(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln = ln
	go s.loop()
	return nil
}

func (s *echoServer) loop() {
	defer close(s.done)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func (s *echoServer) Close() {
	if s.ln != nil {
		s.ln.Close()
	}
	<-s.done // want `this receive waits on field done of echoServer, made at line \d+; only the goroutine Run starts at line \d+ closes or sends on it, but Run returns the error at line \d+ first`
}

// ... and one whose starter is a method of another type, starting a
// function literal that sends the job's one result after a check that
// can fail.
type pipelineJob struct {
	result chan error
}

func newPipelineJob() *pipelineJob { return &pipelineJob{result: make(chan error, 1)} }

type pipelineRunner struct{ maxSteps int }

var errLongPipeline = errors.New("pipeline too long")

func (r *pipelineRunner) validate(steps []func() error) error {
	if len(steps) > r.maxSteps {
		return errLongPipeline
	}
	return nil
}

func (r *pipelineRunner) Launch(j *pipelineJob, steps []func() error) error {
	if err := r.validate(steps); err != nil {
		return err
	}
	go func() {
		for _, step := range steps {
			if err := step(); err != nil {
				j.result <- err
				return
			}
		}
		j.result <- nil
	}()
	return nil
}

func (j *pipelineJob) Await() error {
	return <-j.result // want `this receive waits on field result of pipelineJob, made at line \d+; only the goroutine Launch starts at line \d+ closes or sends on it`
}

// Look-alikes that must stay silent: a starter whose early return is a
// guard it writes itself ("already running": an earlier call started the
// goroutine), and a failed start that closes the channel on its way out.
type guardedLoop struct {
	running bool
	stopped chan struct{}
}

var errRunning = errors.New("already running")

func newGuardedLoop() *guardedLoop { return &guardedLoop{stopped: make(chan struct{})} }

func (g *guardedLoop) Start() error {
	if g.running {
		return errRunning
	}
	g.running = true
	go func() {
		defer close(g.stopped)
	}()
	return nil
}

func (g *guardedLoop) Wait() { <-g.stopped }

type closingServer struct {
	ln   net.Listener
	done chan struct{}
}

func newClosingServer() *closingServer { return &closingServer{done: make(chan struct{})} }

func (s *closingServer) Run(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		close(s.done)
		return err
	}
	s.ln = ln
	go func() {
		defer close(s.done)
		for {
			if _, err := ln.Accept(); err != nil {
				return
			}
		}
	}()
	return nil
}

func (s *closingServer) Close() {
	if s.ln != nil {
		s.ln.Close()
	}
	<-s.done
}

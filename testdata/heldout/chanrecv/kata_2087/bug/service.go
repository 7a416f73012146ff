// Package bug is a held-out kernel (issue 14): containerd calls the kata
// shim's Wait right after Create, and Wait receives the exit code from the
// container's exitCh; only the wait goroutine that Start launches after a
// successful start ever sends on it, so when starting the container fails
// Wait blocks for ever on its receive.
//
// Upstream: kata-containers/kata-containers#2087 ("The wait goroutines would leak when start an exec failed")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: in containerd-shim-v2, service.Wait looks the container up under
// s.mu, releases it and does `ret = <-c.exitCh`, then puts the value back
// for any other waiter. exitCh (buffered, one slot) is fed by wait(), the
// goroutine startContainer starts as its last step once the sandbox has
// started the container and its IO is wired. Every error return in
// startContainer comes before that `go wait(...)`, so nothing ever sends
// on exitCh and the Wait RPC (and its goroutine) hangs. The issue shows
// the Wait goroutines piling up in dlv. The sandbox and the IO copying
// are reduced to interfaces, the event forwarder to a log call; the exec
// path (the same bug in startExec) is left out.
//
// Fix (kata-containers#2089): startContainer names its error result and
// defers a send of exit code 255 on exitCh when it returns an error, so a
// pending Wait returns.
package bug

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"
)

const exitCode255 = 255

// Status is a task's state as containerd sees it.
type Status int

const (
	StatusCreated Status = iota
	StatusRunning
	StatusStopped
)

// Sandbox is the part of virtcontainers' VCSandbox the shim uses here.
type Sandbox interface {
	Start() error
	StartContainer(id string) error
	WaitProcess(containerID, processID string) (int32, error)
	IOStream(containerID, processID string) (stdout ReadCloser, err error)
}

// ReadCloser is a process's output stream.
type ReadCloser interface {
	Read(p []byte) (int, error)
	Close() error
}

type container struct {
	id        string
	isSandbox bool
	status    Status
	exit      uint32
	exitTime  time.Time
	exitCh    chan uint32
	exitIOch  chan struct{}
	stdout    ReadCloser
}

func newContainer(id string, isSandbox bool) *container {
	return &container{
		id:        id,
		isSandbox: isSandbox,
		status:    StatusCreated,
		exitCh:    make(chan uint32, 1),
		exitIOch:  make(chan struct{}),
	}
}

// TaskExit is published when a process exits.
type TaskExit struct {
	ContainerID string
	ExitStatus  uint32
}

type service struct {
	mu         sync.Mutex
	sandbox    Sandbox
	containers map[string]*container
}

// WaitRequest names the task to wait for.
type WaitRequest struct{ ID string }

// WaitResponse carries the exit status.
type WaitResponse struct {
	ExitStatus uint32
	ExitedAt   time.Time
}

func (s *service) getContainer(id string) (*container, error) {
	c := s.containers[id]
	if c == nil {
		return nil, fmt.Errorf("container does not exist %s", id)
	}
	return c, nil
}

// Create registers a container; containerd calls Wait on it right away.
func (s *service) Create(id string, isSandbox bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.containers[id] = newContainer(id, isSandbox)
}

// Start starts a created container.
func (s *service) Start(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.getContainer(id)
	if err != nil {
		return err
	}
	return startContainer(ctx, s, c)
}

func startContainer(ctx context.Context, s *service, c *container) error {
	if s.sandbox == nil {
		return fmt.Errorf("Bug, the sandbox hasn't been created for this container %s", c.id) // heldout:site
	}
	if c.isSandbox {
		if err := s.sandbox.Start(); err != nil {
			return err // heldout:site
		}
	} else {
		if err := s.sandbox.StartContainer(c.id); err != nil {
			return err // heldout:site
		}
	}
	c.status = StatusRunning

	stdout, err := s.sandbox.IOStream(c.id, c.id)
	if err != nil {
		return err // heldout:site
	}
	c.stdout = stdout
	go ioCopy(c.exitIOch, stdout)

	go wait(ctx, s, c)
	return nil
}

func ioCopy(exitIOch chan struct{}, stdout ReadCloser) {
	defer close(exitIOch)
	buf := make([]byte, 4096)
	for {
		if _, err := stdout.Read(buf); err != nil {
			return
		}
	}
}

// wait reaps the container's process and hands its exit code to Wait.
func wait(ctx context.Context, s *service, c *container) {
	ret, err := s.sandbox.WaitProcess(c.id, c.id)
	if err != nil {
		ret = exitCode255
	}
	<-c.exitIOch
	c.stdout.Close()

	s.mu.Lock()
	c.status = StatusStopped
	c.exit = uint32(ret)
	c.exitTime = time.Now()
	s.mu.Unlock()

	c.exitCh <- uint32(ret)
	s.publish(&TaskExit{ContainerID: c.id, ExitStatus: uint32(ret)})
}

// publish stands for the shim's event forwarder.
func (s *service) publish(evt interface{}) {
	log.Printf("publishing %T %+v", evt, evt)
}

// Wait blocks until the container's process has exited.
func (s *service) Wait(ctx context.Context, r *WaitRequest) (*WaitResponse, error) {
	s.mu.Lock()
	c, err := s.getContainer(r.ID)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}

	ret := <-c.exitCh // heldout:site

	// refill the exitCh in case there are other waits on this process.
	c.exitCh <- ret

	return &WaitResponse{ExitStatus: ret, ExitedAt: c.exitTime}, nil
}

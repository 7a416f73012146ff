// Package fixed is the fixed version of chanrecv/kata_2087: a failed start
// puts exit code 255 on the container's exitCh, so the Wait that containerd
// is already blocked in returns.
package fixed

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

func startContainer(ctx context.Context, s *service, c *container) (retErr error) {
	defer func() {
		if retErr != nil {
			// notify the Wait that is blocked on exitCh
			c.exitCh <- exitCode255
		}
	}()
	if s.sandbox == nil {
		return fmt.Errorf("Bug, the sandbox hasn't been created for this container %s", c.id)
	}
	if c.isSandbox {
		if err := s.sandbox.Start(); err != nil {
			return err
		}
	} else {
		if err := s.sandbox.StartContainer(c.id); err != nil {
			return err
		}
	}
	c.status = StatusRunning

	stdout, err := s.sandbox.IOStream(c.id, c.id)
	if err != nil {
		return err
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

	ret := <-c.exitCh

	// refill the exitCh in case there are other waits on this process.
	c.exitCh <- ret

	return &WaitResponse{ExitStatus: ret, ExitedAt: c.exitTime}, nil
}

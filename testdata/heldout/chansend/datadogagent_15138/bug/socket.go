// Package bug is a held-out kernel (issue 14): a docker socket tailer's
// wrapper stops its inner tailer from the run loop that is the only
// receiver of the inner tailer's unbuffered errored-container channel; if
// the socket fails while the wrapper is stopping, the inner read loop
// blocks sending the error, never finishes, and the inner Stop, the run
// loop and the launcher's Stop wait for ever.
//
// Upstream: DataDog/datadog-agent#15138 ("Fix shutdown deadlock in docker socket tailer")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: DockerSocketTailer.run starts the inner tailer with a fresh
// unbuffered erroredContainerID channel and selects on ctx.Done(), that
// channel and a backoff timer. On ctx.Done() it calls stopTailer(inner),
// which waits for the inner read loop to finish. The read loop, on a
// socket error, sends the container ID on erroredContainerID before it
// returns; the PR: it "is written to in same goroutine that needs to stop
// in order to satisfy the stop condition ... also read by the same
// goroutine that waits for the stop condition", and the deadlock reached
// the MetaScheduler. The inner tailer is our reduction of
// pkg/logs/internal/tailers/docker.
//
// Fix: while stopping the inner tailer the wrapper drains the errored
// channel ("we don't care about these errors since the tailer is being
// destroyed anyway"); the draining goroutine with its own stop channel is
// our rendering of that.
package bug

import (
	"context"
	"errors"
	"io"
	"log"
	"time"
)

var (
	backoffInitialDuration = 1 * time.Second
	backoffMaxDuration     = 60 * time.Second
)

// LogReader reads a container's log stream from the docker socket.
type LogReader interface {
	Read(p []byte) (int, error)
	Close() error
}

// Tailer is the inner docker tailer.
type Tailer struct {
	ContainerID        string
	reader             LogReader
	pipeline           chan []byte
	erroredContainerID chan string
	stop               chan struct{}
	done               chan struct{}
}

// NewTailer returns an inner tailer that reports read failures on
// erroredContainerID.
func NewTailer(id string, r LogReader, pipeline chan []byte, erroredContainerID chan string) *Tailer {
	return &Tailer{
		ContainerID:        id,
		reader:             r,
		pipeline:           pipeline,
		erroredContainerID: erroredContainerID,
		stop:               make(chan struct{}, 1),
		done:               make(chan struct{}),
	}
}

// Start starts the read loop.
func (t *Tailer) Start() error {
	go t.readForever()
	return nil
}

// Stop stops the read loop and waits for it to finish.
func (t *Tailer) Stop() {
	t.stop <- struct{}{}
	t.reader.Close()
	<-t.done // heldout:site
}

func (t *Tailer) readForever() {
	defer close(t.done)
	for {
		select {
		case <-t.stop:
			return
		default:
		}
		buf := make([]byte, 4096)
		n, err := t.reader.Read(buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			log.Printf("could not tail logs for container %v: %v", t.ContainerID, err)
			t.erroredContainerID <- t.ContainerID // heldout:site
			return
		}
		t.pipeline <- buf[:n]
	}
}

// DockerSocketTailer restarts the inner tailer when it fails.
type DockerSocketTailer struct {
	ContainerID string
	open        func(id string) (LogReader, error)
	pipeline    chan []byte

	ctx     context.Context
	cancel  context.CancelFunc
	stopped chan struct{}
}

// NewDockerSocketTailer returns a tailer for the container.
func NewDockerSocketTailer(id string, open func(string) (LogReader, error), pipeline chan []byte) *DockerSocketTailer {
	return &DockerSocketTailer{ContainerID: id, open: open, pipeline: pipeline}
}

func (t *DockerSocketTailer) tryStartTailer() (*Tailer, chan string, error) {
	erroredContainerID := make(chan string)
	r, err := t.open(t.ContainerID)
	if err != nil {
		return nil, nil, err
	}
	inner := NewTailer(t.ContainerID, r, t.pipeline, erroredContainerID)
	if err := inner.Start(); err != nil {
		return nil, nil, err
	}
	return inner, erroredContainerID, nil
}

func (t *DockerSocketTailer) stopTailer(inner *Tailer, erroredContainerID chan string) {
	inner.Stop()
}

// Start starts the run loop.
func (t *DockerSocketTailer) Start() error {
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.stopped = make(chan struct{})
	go t.run(t.tryStartTailer, t.stopTailer)
	return nil
}

// Stop stops the run loop and waits for it.
func (t *DockerSocketTailer) Stop() {
	t.cancel()
	t.cancel = nil
	<-t.stopped // heldout:site
}

func (t *DockerSocketTailer) run(
	tryStartTailer func() (*Tailer, chan string, error),
	stopTailer func(*Tailer, chan string),
) {
	defer close(t.stopped)

	backoffDuration := backoffInitialDuration
	for {
		var backoffTimerC <-chan time.Time

		inner, erroredContainerID, err := tryStartTailer()
		if err != nil {
			if backoffDuration > backoffMaxDuration {
				log.Printf("could not tail container %v: %v", t.ContainerID, err)
				return
			}
			backoffTimerC = time.After(backoffDuration)
			backoffDuration *= 2
		} else {
			backoffDuration = backoffInitialDuration
		}

		select {
		case <-t.ctx.Done():
			if inner != nil {
				stopTailer(inner, erroredContainerID) // heldout:site
			}
			return
		case <-erroredContainerID:
			if inner != nil {
				stopTailer(inner, erroredContainerID)
			}
			continue
		case <-backoffTimerC:
			continue
		}
	}
}

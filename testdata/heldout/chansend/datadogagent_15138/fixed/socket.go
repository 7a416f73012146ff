// Package fixed is the fixed version of chansend/datadogagent_15138: while
// stopping the inner tailer the wrapper drains its errored-container
// channel, so the read loop's send completes and it finishes.
package fixed

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
	<-t.done
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
			t.erroredContainerID <- t.ContainerID
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
	// drain the errored channel while the inner tailer shuts down: the
	// tailer is being destroyed, so its errors do not matter
	drained := make(chan struct{})
	go func() {
		for {
			select {
			case <-erroredContainerID:
			case <-drained:
				return
			}
		}
	}()
	inner.Stop()
	close(drained)
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
	<-t.stopped
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
				stopTailer(inner, erroredContainerID)
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

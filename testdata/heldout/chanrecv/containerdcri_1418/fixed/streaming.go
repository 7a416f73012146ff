// Package fixed is the fixed version of chanrecv/containerdcri_1418: the
// resize goroutine also stops when the exec's or attach's context is
// cancelled, and both cancel it on return.
//
// Upstream: containerd/cri#1418 ("Fix goroutine leak when exec/attach")
// Round: 19
package fixed

import (
	"context"
	"fmt"
)

// TerminalSize is a resize event from the client.
type TerminalSize struct {
	Width  uint16
	Height uint16
}

// Process is a started exec process.
type Process interface {
	Start(ctx context.Context) error
	Resize(ctx context.Context, w, h uint32) error
	Wait(ctx context.Context) (<-chan uint32, error)
}

// Task is the container's init task.
type Task interface {
	Exec(ctx context.Context, id string, cmd []string) (Process, error)
	Resize(ctx context.Context, w, h uint32) error
	Attach(ctx context.Context, stdinOnce bool) error
}

type criService struct {
	tasks map[string]Task
	logf  func(string, ...any)
}

type execOptions struct {
	cmd    []string
	tty    bool
	resize <-chan TerminalSize
}

// handleResizing spawns a goroutine that processes the resize channel,
// calling resizeFunc for each TerminalSize received from the channel.
func handleResizing(ctx context.Context, resize <-chan TerminalSize, resizeFunc func(size TerminalSize)) {
	if resize == nil {
		return
	}

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case size, ok := <-resize:
				if !ok {
					return
				}
				if size.Height < 1 || size.Width < 1 {
					continue
				}
				resizeFunc(size)
			}
		}
	}()
}

func (c *criService) execInternal(ctx context.Context, id string, opts execOptions) (*uint32, error) {
	// Cancel the context before returning to ensure goroutines are stopped.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	task, ok := c.tasks[id]
	if !ok {
		return nil, fmt.Errorf("container %q not found", id)
	}
	process, err := task.Exec(ctx, "exec-"+id, opts.cmd)
	if err != nil {
		return nil, fmt.Errorf("failed to create exec: %w", err)
	}
	exitCh, err := process.Wait(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to wait for process: %w", err)
	}
	if err := process.Start(ctx); err != nil {
		return nil, fmt.Errorf("failed to start exec: %w", err)
	}

	handleResizing(ctx, opts.resize, func(size TerminalSize) {
		if err := process.Resize(ctx, uint32(size.Width), uint32(size.Height)); err != nil {
			c.logf("failed to resize process %q console: %v", id, err)
		}
	})

	select {
	case code := <-exitCh:
		return &code, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Exec runs a command in the container for a streaming client.
func (c *criService) Exec(ctx context.Context, id string, cmd []string, tty bool, resize <-chan TerminalSize) error {
	_, err := c.execInternal(ctx, id, execOptions{cmd: cmd, tty: tty, resize: resize})
	return err
}

// Attach attaches a streaming client to the container's init process.
func (c *criService) Attach(id string, tty bool, resize <-chan TerminalSize) error {
	task, ok := c.tasks[id]
	if !ok {
		return fmt.Errorf("container %q not found", id)
	}
	return c.attachContainer(context.Background(), id, task, tty, resize)
}

func (c *criService) attachContainer(ctx context.Context, id string, task Task, tty bool, resize <-chan TerminalSize) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	handleResizing(ctx, resize, func(size TerminalSize) {
		if err := task.Resize(ctx, uint32(size.Width), uint32(size.Height)); err != nil {
			c.logf("failed to resize task %q console: %v", id, err)
		}
	})
	return task.Attach(ctx, !tty)
}

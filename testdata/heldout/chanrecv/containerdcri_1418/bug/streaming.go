// Package bug is a held-out kernel (issue 14): every exec or attach with a
// terminal starts a goroutine that receives resize events until the resize
// channel is closed, and nothing ever closes it, so one goroutine leaks per
// exec/attach.
//
// Upstream: containerd/cri#1418 ("Fix goroutine leak when exec/attach")
// Round: 19
//
// Bug: execInternal and attachContainer pass the streaming server's resize
// channel (receive-only on this side) to handleResizing, which starts a
// goroutine that loops on `size, ok := <-resize` and returns only when
// ok is false. The PR: "The resize chan is never closed when doing
// exec/attach now. What's more, resize is a recieved only chan so it can
// not be closed." When the exec ends or the attach returns, the goroutine
// stays blocked on the receive for ever. Reduced from pkg/server/
// streaming.go, container_execsync.go and container_attach.go; the task
// and process of containerd are an interface, the IO plumbing is left out.
//
// Fix: handleResizing takes a context and its goroutine selects on
// ctx.Done() as well; execInternal already cancels its context on return,
// and attachContainer now makes a context with cancel and defers the
// cancel.
package bug

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
func handleResizing(resize <-chan TerminalSize, resizeFunc func(size TerminalSize)) {
	if resize == nil {
		return
	}

	go func() {
		for {
			size, ok := <-resize // heldout:site
			if !ok {
				return
			}
			if size.Height < 1 || size.Width < 1 {
				continue
			}
			resizeFunc(size)
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

	handleResizing(opts.resize, func(size TerminalSize) { // heldout:site
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
	handleResizing(resize, func(size TerminalSize) { // heldout:site
		if err := task.Resize(ctx, uint32(size.Width), uint32(size.Height)); err != nil {
			c.logf("failed to resize task %q console: %v", id, err)
		}
	})
	return task.Attach(ctx, !tty)
}

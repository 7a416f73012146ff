// Package fixed is the fixed version of context/bink_6: the exec stream
// runs on a context derived from the connection whose cancel is deferred,
// so it ends when ContainerExec returns (our reading of the fix).
//
// Upstream: bootc-dev/bink#6 ("Fix goroutine leak on context cancellation in ContainerExec")
// Round: 19
package fixed

import (
	"bytes"
	"context"
	"fmt"
)

// ExecSession is a started exec in a container.
type ExecSession interface {
	// Exited delivers the command's exit error when the command ends.
	Exited() <-chan error
	Output() (stdout, stderr *bytes.Buffer)
}

// Bindings is the part of the podman bindings the client uses.
type Bindings interface {
	NewConnection(ctx context.Context, uri string) (context.Context, error)
	ExecCreate(conn context.Context, container string, cmd []string) (ExecSession, error)
	ExitCode(conn context.Context, s ExecSession) (int, error)
}

// ExecStartAndAttach streams the session's output until its command exits
// or the connection context is done.
func ExecStartAndAttach(conn context.Context, s ExecSession) error {
	select {
	case <-conn.Done():
		return conn.Err()
	case err := <-s.Exited():
		return err
	}
}

// Client talks to the podman service.
type Client struct {
	b          Bindings
	conn       context.Context
	socketPath string
	connected  bool
}

// NewClient makes a client for the podman socket.
func NewClient(b Bindings, socketPath string) *Client {
	return &Client{b: b, socketPath: socketPath}
}

func (c *Client) ensureConnection() error {
	if c.connected {
		return nil
	}
	conn, err := c.b.NewConnection(context.Background(), c.socketPath)
	if err != nil {
		return fmt.Errorf("connecting to Podman service at %s: %w", c.socketPath, err)
	}
	c.conn = conn
	c.connected = true
	return nil
}

// ContainerExec runs cmd in the container and returns its stdout.
func (c *Client) ContainerExec(ctx context.Context, name string, cmd []string) (string, error) {
	if err := c.ensureConnection(); err != nil {
		return "", err
	}
	session, err := c.b.ExecCreate(c.conn, name, cmd)
	if err != nil {
		return "", fmt.Errorf("creating exec session: %w", err)
	}

	execCtx, cancel := context.WithCancel(c.conn)
	defer cancel()

	execErr := make(chan error, 1)
	go func() {
		execErr <- ExecStartAndAttach(execCtx, session)
	}()

	select {
	case <-ctx.Done():
		return "", fmt.Errorf("executing command: %w", ctx.Err())
	case err := <-execErr:
		if err != nil {
			return "", fmt.Errorf("executing command: %w", err)
		}
	}

	stdout, stderr := session.Output()
	code, err := c.b.ExitCode(c.conn, session)
	if err != nil {
		return "", fmt.Errorf("inspecting exec session: %w", err)
	}
	if code != 0 {
		return "", fmt.Errorf("command exited with code %d: %s", code, stderr.String())
	}
	return stdout.String(), nil
}

// ContainerExecQuiet runs cmd in the container and discards its output.
func (c *Client) ContainerExecQuiet(ctx context.Context, name string, cmd []string) error {
	if err := c.ensureConnection(); err != nil {
		return err
	}
	session, err := c.b.ExecCreate(c.conn, name, cmd)
	if err != nil {
		return fmt.Errorf("creating exec session: %w", err)
	}

	execCtx, cancel := context.WithCancel(c.conn)
	defer cancel()

	execErr := make(chan error, 1)
	go func() {
		execErr <- ExecStartAndAttach(execCtx, session)
	}()

	select {
	case <-ctx.Done():
		return fmt.Errorf("executing command: %w", ctx.Err())
	case err := <-execErr:
		if err != nil {
			return fmt.Errorf("executing command: %w", err)
		}
	}

	_, stderr := session.Output()
	code, err := c.b.ExitCode(c.conn, session)
	if err != nil {
		return fmt.Errorf("inspecting exec session: %w", err)
	}
	if code != 0 {
		return fmt.Errorf("command exited with code %d: %s", code, stderr.String())
	}
	return nil
}

// Package bug is a held-out kernel (issue 14): ContainerExec runs the
// attached exec stream in a goroutine on the client's connection context,
// which is never cancelled, so when the caller's context ends first the
// function returns and the goroutine streams on for ever.
//
// Upstream: bootc-dev/bink#6 ("Fix goroutine leak on context cancellation in ContainerExec")
// Round: 19
//
// Bug: internal/podman/client.go keeps the podman bindings connection as a
// context (c.conn, made from context.Background() and never cancelled).
// ContainerExec and ContainerExecQuiet create an exec session, start
// `go func() { execErr <- containers.ExecStartAndAttach(c.conn, ...) }()`
// and select on the caller's ctx.Done() and execErr. When the caller's
// context is done first they return ctx.Err(), but nothing cancels the
// context the stream runs on, so ExecStartAndAttach keeps waiting for the
// exec's output until the command ends, which for a hung command is never
// (the PR: "so the ExecStartAndAttach goroutine terminates instead of
// running indefinitely"). Reduced from internal/podman/client.go; the
// podman bindings are a small interface whose attach call returns when
// its context is done or the session's command exits (our stand-in for
// the hijacked HTTP stream), and the inspect, the output buffers' use and
// the other client methods are left out.
//
// Fix: the PR cancels the exec context when the caller's context is done;
// the fixed version is our reading: the stream runs on a context derived
// from c.conn whose cancel is deferred in ContainerExec.
package bug

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
	case <-conn.Done(): // heldout:site
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

	execErr := make(chan error, 1)
	go func() {
		execErr <- ExecStartAndAttach(c.conn, session) // heldout:site
	}()

	select {
	case <-ctx.Done():
		return "", fmt.Errorf("executing command: %w", ctx.Err()) // heldout:site
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

	execErr := make(chan error, 1)
	go func() {
		execErr <- ExecStartAndAttach(c.conn, session) // heldout:site
	}()

	select {
	case <-ctx.Done():
		return fmt.Errorf("executing command: %w", ctx.Err()) // heldout:site
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

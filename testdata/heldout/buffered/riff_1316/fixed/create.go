// Package fixed is the fixed version of buffered/riff_1316: the error
// channel has one slot per sender, so no send on it can block.
package fixed

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrWaitTimeout is reported when the workload is not ready in time.
var ErrWaitTimeout = errors.New("timeout waiting for workload to become ready")

// Cluster is the part of the Kubernetes client the command uses.
type Cluster interface {
	Create(name, image string) error
	WaitUntilReady(ctx context.Context, name string) error
	ApplicationLogs(ctx context.Context, name string, w io.Writer) error
}

// CreateOptions are the flags of "riff application create".
type CreateOptions struct {
	Name        string
	Image       string
	Tail        bool
	WaitTimeout time.Duration
}

// Client runs riff commands against a cluster.
type Client struct {
	cluster Cluster
}

// CreateApplication creates the workload and, with Tail, streams its logs
// until it is ready.
func (c *Client) CreateApplication(ctx context.Context, opts CreateOptions, logs io.Writer) error {
	if err := c.cluster.Create(opts.Name, opts.Image); err != nil {
		return err
	}
	if !opts.Tail {
		return nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errs := make(chan error, 3) // WaitUntilReady, ApplicationLogs, timeout
	go func() {
		errs <- c.cluster.WaitUntilReady(ctx, opts.Name)
	}()
	go func() {
		if err := c.cluster.ApplicationLogs(ctx, opts.Name, logs); err != nil {
			errs <- err
		}
	}()

	timer := time.NewTimer(opts.WaitTimeout)
	defer timer.Stop()
	select {
	case err := <-errs:
		return err
	case <-timer.C:
		errs <- ErrWaitTimeout
	}
	return <-errs
}

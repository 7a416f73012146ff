// Package bug is a held-out kernel (issue 14): three senders share an error
// channel with room for one, and the main goroutine is one of the senders.
//
// Upstream: projectriff/riff#1316 ("Avoid deadlocks during create")
// Round: 14
//
// Bug: creating an application with --tail starts two goroutines, one
// waiting until the workload is ready and one streaming its logs; each
// reports its error on a shared channel, and the main goroutine, when the
// wait timeout fires, sends its own timeout error on the same channel and
// then receives the first error. The channel had a buffer too small for
// all three: when WaitUntilReady() or ApplicationLogs() (or both) return an
// error just before the timeout, the select may take the timer, and the
// main goroutine's send finds the buffer full with nobody left to receive;
// the logs goroutine's send then blocks as well (the PR: "the current code
// can deadlock"). The kernel's client interface, option struct and the
// way the main goroutine picks its result are our reduction of the thread.
//
// Fix: the buffer was raised to 3, one slot per possible sender, so that
// no send on the channel can block.
package bug

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

	errs := make(chan error, 1) // heldout:site
	go func() {
		errs <- c.cluster.WaitUntilReady(ctx, opts.Name)
	}()
	go func() {
		if err := c.cluster.ApplicationLogs(ctx, opts.Name, logs); err != nil {
			errs <- err // heldout:site
		}
	}()

	timer := time.NewTimer(opts.WaitTimeout)
	defer timer.Stop()
	select {
	case err := <-errs:
		return err
	case <-timer.C:
		errs <- ErrWaitTimeout // heldout:site
	}
	return <-errs
}

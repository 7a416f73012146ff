// Package bug is a held-out kernel (issue 14): a hijacked attach session
// whose two stream copiers report into one error channel with room for one
// value, and whose closer makes the session goroutine return without
// reading it or reporting to the waiter.
//
// Upstream: fsouza/go-dockerclient#562 ("Fix goroutine leak")
// Round: 15
//
// Bug: hijack starts a session goroutine that runs two copiers (stdin to
// the connection, the connection to stdout); both report their result on
// errIn, made with capacity one. The session goroutine waits for the first
// result or for quit; when the closer fires, it returns at once, so the
// second copier's send into the full errIn blocks for ever. The session
// goroutine also returns without sending on errs, so a caller blocked in
// Wait never wakes (weaveworks/scope#1767 shows the three stacks). The
// stream and connection types are our reduction.
//
// Fix: errIn gets room for both copiers, the session no longer returns on
// quit but goes on to report, and errs gets a buffer of one so the report
// does not block when nobody waits.
package bug

import (
	"io"
	"net"
)

// CloseWaiter is what an attach returns: Close ends the session, Wait
// returns its error.
type CloseWaiter interface {
	io.Closer
	Wait() error
}

type waiterFunc func() error

func (w waiterFunc) Wait() error { return w() }

type closerFunc func() error

func (c closerFunc) Close() error { return c() }

type closeWaiter struct {
	io.Closer
	waiterFunc
}

// HijackOptions are the attached streams.
type HijackOptions struct {
	InputStream  io.Reader
	OutputStream io.Writer
}

// Client talks to the daemon.
type Client struct {
	dial func() (net.Conn, error)
}

func (c *Client) hijack(opts HijackOptions) (CloseWaiter, error) {
	conn, err := c.dial()
	if err != nil {
		return nil, err
	}
	errs := make(chan error)
	quit := make(chan struct{})
	go func() {
		defer conn.Close()
		errIn := make(chan error, 1)
		go func() {
			_, err := io.Copy(opts.OutputStream, conn)
			errIn <- err // heldout:site
		}()
		go func() {
			var err error
			if opts.InputStream != nil {
				_, err = io.Copy(conn, opts.InputStream)
			}
			errIn <- err // heldout:site
		}()
		var err error
		select {
		case err = <-errIn:
		case <-quit:
			return // heldout:site
		}
		errs <- err
	}()
	return closeWaiter{
		Closer: closerFunc(func() error {
			close(quit)
			return nil
		}),
		waiterFunc: func() error {
			return <-errs // heldout:site
		},
	}, nil
}

// AttachToContainer attaches and returns the session.
func (c *Client) AttachToContainer(opts HijackOptions) (CloseWaiter, error) {
	return c.hijack(opts)
}

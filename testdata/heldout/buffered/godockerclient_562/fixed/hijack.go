// Package fixed is the fixed version of buffered/godockerclient_562: errIn
// has room for both copiers, the session goroutine reports even after
// quit, and errs is buffered so that report never blocks.
package fixed

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
	errs := make(chan error, 1)
	quit := make(chan struct{})
	go func() {
		defer conn.Close()
		errIn := make(chan error, 2)
		go func() {
			_, err := io.Copy(opts.OutputStream, conn)
			errIn <- err
		}()
		go func() {
			var err error
			if opts.InputStream != nil {
				_, err = io.Copy(conn, opts.InputStream)
			}
			errIn <- err
		}()
		var err error
		select {
		case err = <-errIn:
		case <-quit:
		}
		errs <- err
	}()
	return closeWaiter{
		Closer: closerFunc(func() error {
			close(quit)
			return nil
		}),
		waiterFunc: func() error {
			return <-errs
		},
	}, nil
}

// AttachToContainer attaches and returns the session.
func (c *Client) AttachToContainer(opts HijackOptions) (CloseWaiter, error) {
	return c.hijack(opts)
}

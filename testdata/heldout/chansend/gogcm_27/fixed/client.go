// Package fixed is the fixed version of chansend/gogcm_27: the error
// channel of the later runs has room for the creation error.
//
// Upstream: kikinteractive/go-gcm#27 ("Fix GCM XMPP client create from hanging")
// Round: 19
package fixed

import (
	"errors"
	"sync"
	"time"
)

// CCSMessage is an upstream message from the connection server.
type CCSMessage struct {
	MessageType string
	ControlType string
	From        string
}

// MessageHandler handles upstream messages.
type MessageHandler func(cm CCSMessage) error

const (
	ccsControl  = "control"
	ccsDraining = "CONNECTION_DRAINING"
)

// xmppC is the internal XMPP client.
type xmppC interface {
	Listen(h MessageHandler) error
	Send(to string, data []byte) (string, int, error)
	Ping(timeout time.Duration) error
	Close(graceful bool) error
	IsClosed() bool
	ID() string
}

// gcmClient is a container for the XMPP GCM client.
type gcmClient struct {
	sync.RWMutex
	mh            MessageHandler
	cerr          chan error
	xmppClient    xmppC
	newXMPPClient func() (xmppC, error)
	pingInterval  time.Duration
	pingTimeout   time.Duration
}

// newGCMClient starts monitoring the provided XMPP client.
func newGCMClient(xmppc xmppC, newXMPP func() (xmppC, error), h MessageHandler, monitor bool) *gcmClient {
	c := &gcmClient{
		xmppClient:    xmppc,
		newXMPPClient: newXMPP,
		cerr:          make(chan error, 1),
		mh:            h,
		pingInterval:  20 * time.Second,
		pingTimeout:   30 * time.Second,
	}
	go c.monitorXMPP(monitor)
	return c
}

// SendXMPP sends a message on the active XMPP connection.
func (c *gcmClient) SendXMPP(to string, data []byte) (string, int, error) {
	c.RLock()
	defer c.RUnlock()
	return c.xmppClient.Send(to, data)
}

// Close closes the active client.
func (c *gcmClient) Close() error {
	c.Lock()
	defer c.Unlock()
	if c.xmppClient != nil {
		return c.xmppClient.Close(true)
	}
	return nil
}

// monitorXMPP creates a new GCM XMPP client (if not provided), replaces
// the active client, closes the old client and starts monitoring the new
// connection.
func (c *gcmClient) monitorXMPP(activeMonitor bool) {
	firstRun := true
	for {
		var (
			xc   xmppC
			cerr chan error
		)

		// On the first run, use the provided client and error channel.
		if firstRun {
			cerr = c.cerr
			xc = c.xmppClient
		} else {
			xc = nil
			cerr = make(chan error, 1)
		}

		xmppc, err := c.connectXMPP(xc, cerr)
		if err != nil {
			if firstRun {
				// On the first run, error exits the monitor.
				break
			}
			// Otherwise wait and try again.
			time.Sleep(c.pingTimeout)
			continue
		}

		if !firstRun {
			// Replace the active client.
			c.Lock()
			prevc := c.xmppClient
			c.xmppClient = xmppc
			c.cerr = cerr
			c.Unlock()

			// Close the previous client.
			go prevc.Close(true)
		}

		// If active monitoring is enabled, start pinging routine.
		if activeMonitor {
			go func(xc xmppC, ce chan<- error) {
				perr := pingPeriodically(xc, c.pingTimeout, c.pingInterval)
				if !xc.IsClosed() {
					ce <- perr
				}
			}(xmppc, cerr)
		}

		firstRun = false

		// Wait for an error to occur (from listen, ping or upstream control).
		if err = <-cerr; err == nil {
			// No error, active close.
			break
		}
		close(cerr)
	}
}

// onCCSMessage handles what it can before bubbling up.
func (c *gcmClient) onCCSMessage(cm CCSMessage) error {
	if cm.MessageType == ccsControl {
		if cm.ControlType == ccsDraining {
			// Server should close the current connection.
			c.Lock()
			cerr := c.cerr
			c.Unlock()
			cerr <- errors.New("connection draining")
		}
		return nil
	}
	return c.mh(cm)
}

// connectXMPP creates a new xmpp client (if not provided), connects to the
// server and starts listening.
func (c *gcmClient) connectXMPP(xc xmppC, cerr chan<- error) (xmppC, error) {
	xmppc := xc
	if xmppc == nil {
		var err error
		xmppc, err = c.newXMPPClient()
		if err != nil {
			cerr <- err
			return nil, err
		}
	}

	// Start listening on this connection.
	go func() {
		if err := xmppc.Listen(c.onCCSMessage); err != nil {
			cerr <- err
		}
	}()

	return xmppc, nil
}

// pingPeriodically sends periodic pings. If pong is received, the timer
// is reset.
func pingPeriodically(xm xmppC, timeout, interval time.Duration) error {
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		<-t.C
		if xm.IsClosed() {
			return nil
		}
		if err := xm.Ping(timeout); err != nil {
			return err
		}
		t.Reset(interval)
	}
}

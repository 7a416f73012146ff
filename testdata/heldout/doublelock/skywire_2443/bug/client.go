// Package bug is a held-out kernel (issue 14): a dmsg client refreshes its
// entry in the discovery while holding its sessions mutex, and the
// discovery client it calls, once wrapped to prefer dmsg transport, dials
// the discovery over dmsg itself; the dial looks up a delegated server's
// session, which locks the same sessions mutex on the same goroutine. The
// entry-update loop blocks for ever on a lock it holds, and every later
// dial and API call piles up behind it.
//
// Upstream: skycoin/skywire#2443 ("fix(dmsg): self-deadlock in updateClientEntry under dmsgfirst path")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: updateClientEntryLoop and setSessionCallback "held
// sessionsMx across the call to updateClientEntry, which calls
// ep.Client.Entry. With the disc client wrapped by dmsgfirst, that Entry
// call dials over DMSG — HTTPTransport.RoundTrip → DialStream →
// sortedDelegatedSessions → clientSession → session() — and session()
// tries to lock the same sessionsMx on the same goroutine." The call chain
// and the lock are the PR's; the types around them (EntityCommon with its
// sessions map, the discovery APIClient interface, the dmsgfirst wrapper
// and the HTTP transport over dmsg) are our reduction, without real
// networking.
//
// Fix: updateClientEntry takes sessionsMx only to snapshot the connected
// servers' keys and releases it before any I/O; its callers no longer
// hold the lock around it.
package bug

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// PubKey identifies a client or server.
type PubKey string

// Entry is a discovery entry.
type Entry struct {
	Static    PubKey
	Delegated []PubKey
	Sequence  uint64
}

// APIClient talks to the discovery.
type APIClient interface {
	Entry(ctx context.Context, pk PubKey) (*Entry, error)
	PutEntry(ctx context.Context, e *Entry) error
}

// ClientSession is a session with one dmsg server.
type ClientSession struct {
	srvPK PubKey
	rtt   time.Duration
}

// EntityCommon holds the sessions of a dmsg entity.
type EntityCommon struct {
	pk         PubKey
	dc         APIClient
	sessions   map[PubKey]*ClientSession
	sessionsMx sync.Mutex
}

func (c *EntityCommon) session(pk PubKey) (*ClientSession, bool) {
	c.sessionsMx.Lock() // heldout:site
	dSes, ok := c.sessions[pk]
	c.sessionsMx.Unlock()
	return dSes, ok
}

// Client is a dmsg client.
type Client struct {
	EntityCommon
	errCh chan error
	done  chan struct{}
}

// SetDiscovery sets the discovery client (possibly a dmsgfirst wrapper).
func (c *Client) SetDiscovery(dc APIClient) { c.dc = dc }

func (c *Client) clientSession(pk PubKey) (*ClientSession, error) {
	if dSes, ok := c.session(pk); ok {
		return dSes, nil
	}
	return nil, errors.New("no session with server")
}

func (c *Client) sortedDelegatedSessions(entry *Entry) []*ClientSession {
	var out []*ClientSession
	for _, srv := range entry.Delegated {
		if dSes, err := c.clientSession(srv); err == nil {
			out = append(out, dSes)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rtt < out[j].rtt })
	return out
}

// DialStream dials addr through one of our delegated servers.
func (c *Client) DialStream(ctx context.Context, addr PubKey) error {
	self := &Entry{Static: c.pk}
	c.sessionsMx.Lock()
	for pk := range c.sessions {
		self.Delegated = append(self.Delegated, pk)
	}
	c.sessionsMx.Unlock()
	if len(c.sortedDelegatedSessions(self)) == 0 {
		return errors.New("no delegated sessions")
	}
	return nil
}

// HTTPTransport carries HTTP requests over dmsg streams.
type HTTPTransport struct {
	dmsgC *Client
	srv   PubKey
}

// RoundTrip sends one request over a new dmsg stream.
func (t HTTPTransport) RoundTrip(ctx context.Context) error {
	return t.dmsgC.DialStream(ctx, t.srv)
}

// dmsgFirstClient reaches the discovery over dmsg before falling back.
type dmsgFirstClient struct {
	transport HTTPTransport
	fallback  APIClient
}

func (d *dmsgFirstClient) Entry(ctx context.Context, pk PubKey) (*Entry, error) {
	if err := d.transport.RoundTrip(ctx); err == nil {
		return &Entry{Static: pk}, nil
	}
	return d.fallback.Entry(ctx, pk)
}

func (d *dmsgFirstClient) PutEntry(ctx context.Context, e *Entry) error {
	if err := d.transport.RoundTrip(ctx); err == nil {
		return nil
	}
	return d.fallback.PutEntry(ctx, e)
}

// NewDmsgFirst wraps dc so that c's own dmsg is tried first.
func NewDmsgFirst(c *Client, discSrv PubKey, dc APIClient) APIClient {
	return &dmsgFirstClient{transport: HTTPTransport{dmsgC: c, srv: discSrv}, fallback: dc}
}

// updateClientEntry publishes the servers we are connected to.
// The caller holds sessionsMx.
func (c *Client) updateClientEntry(ctx context.Context) error {
	srvPKs := make([]PubKey, 0, len(c.sessions))
	for pk := range c.sessions {
		srvPKs = append(srvPKs, pk)
	}
	entry, err := c.dc.Entry(ctx, c.pk) // heldout:site
	if err != nil {
		entry = &Entry{Static: c.pk}
	}
	entry.Delegated = srvPKs
	entry.Sequence++
	return c.dc.PutEntry(ctx, entry)
}

func (c *Client) updateClientEntryLoop(ctx context.Context, nudge <-chan struct{}) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-nudge:
		}
		c.sessionsMx.Lock() // heldout:site
		err := c.updateClientEntry(ctx)
		c.sessionsMx.Unlock()
		if err != nil {
			select {
			case c.errCh <- err:
			default:
			}
		}
	}
}

// setSessionCallback records a new server session and publishes it.
func (c *Client) setSessionCallback(ctx context.Context, dSes *ClientSession) error {
	c.sessionsMx.Lock() // heldout:site
	defer c.sessionsMx.Unlock()
	c.sessions[dSes.srvPK] = dSes
	if len(c.sessions) == 1 {
		return c.updateClientEntry(ctx)
	}
	return nil
}

// NewClient returns a client for pk using discovery dc.
func NewClient(pk PubKey, dc APIClient) *Client {
	c := &Client{errCh: make(chan error, 10), done: make(chan struct{})}
	c.pk = pk
	c.dc = dc
	c.sessions = map[PubKey]*ClientSession{}
	return c
}

// Serve runs the entry-update loop until ctx is done.
func (c *Client) Serve(ctx context.Context, nudge <-chan struct{}) {
	go c.updateClientEntryLoop(ctx, nudge)
}

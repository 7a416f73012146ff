// Package fixed is the fixed version of doublelock/skywire_2443:
// updateClientEntry holds sessionsMx only to copy the connected servers'
// keys and releases it before calling the discovery, and no caller holds
// it around updateClientEntry, so the dmsg dial inside the discovery call
// can take it.
package fixed

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
	c.sessionsMx.Lock()
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
// The caller must not hold sessionsMx.
func (c *Client) updateClientEntry(ctx context.Context) error {
	c.sessionsMx.Lock()
	srvPKs := make([]PubKey, 0, len(c.sessions))
	for pk := range c.sessions {
		srvPKs = append(srvPKs, pk)
	}
	c.sessionsMx.Unlock()
	entry, err := c.dc.Entry(ctx, c.pk)
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
		err := c.updateClientEntry(ctx)
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
	c.sessionsMx.Lock()
	c.sessions[dSes.srvPK] = dSes
	first := len(c.sessions) == 1
	c.sessionsMx.Unlock()
	if first {
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

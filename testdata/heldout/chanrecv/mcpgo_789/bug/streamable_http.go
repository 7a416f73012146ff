// Package bug is a held-out kernel (issue 14): mcp-go's Streamable HTTP
// client transport, with continuous listening on, starts a goroutine that
// waits until the session is initialised or the transport is closed; when
// Initialize fails and the caller gives up without calling Close (after
// cancelling the context it passed to Start), neither channel is ever
// closed and the goroutine waits for ever.
//
// Upstream: mark3labs/mcp-go#789 ("bug: HTTP Streamable goroutine leak on context cancellation when WithContinousListening() set")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: Start, when getListeningEnabled is set, runs
// `go func() { select { case <-c.initialized: ...listenForever(ctx); case
// <-c.closed: return } }()`. initialized is closed (once) only by a
// successful initialize request, closed only by Close. The issue: the
// goroutine "does not currently select on the context passed in to
// Start() before initialization has succeeded", unlike the SSE transport,
// so a client whose initialize fails (a missing session ID) and that
// does not call Close leaks it. The HTTP exchange is reduced to a
// roundTripper interface and listenForever to a retry loop over it; SSE
// response handling is left out.
//
// Fix: the goroutine's select also returns on ctx.Done() (the issue's
// first suggestion; the fix commit is our reading of how it was closed).
package bug

import (
	"context"
	"errors"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

// ErrGetMethodNotAllowed means the server does not support listening.
var ErrGetMethodNotAllowed = errors.New("GET method not allowed")

// roundTripper performs the transport's HTTP exchanges.
type roundTripper interface {
	// Initialize sends the initialize request and returns the session ID.
	Initialize(ctx context.Context) (string, error)
	// Listen holds a GET stream open until it ends.
	Listen(ctx context.Context, sessionID string) error
	// DeleteSession tells the server the session is over.
	DeleteSession(ctx context.Context, sessionID string) error
}

// StreamableHTTP is the client side of the Streamable HTTP transport.
type StreamableHTTP struct {
	rt                  roundTripper
	getListeningEnabled bool

	sessionID atomic.Value // string

	initialized     chan struct{}
	initializedOnce sync.Once

	closed chan struct{}
	wg     sync.WaitGroup
}

// NewStreamableHTTP creates the transport.
func NewStreamableHTTP(rt roundTripper, continuousListening bool) *StreamableHTTP {
	c := &StreamableHTTP{
		rt:                  rt,
		getListeningEnabled: continuousListening,
		initialized:         make(chan struct{}),
		closed:              make(chan struct{}),
	}
	c.sessionID.Store("")
	return c
}

// Start starts listening for server messages once initialised.
func (c *StreamableHTTP) Start(ctx context.Context) error {
	if c.getListeningEnabled {
		go func() {
			select { // heldout:site
			case <-c.initialized:
				ctx, cancel := c.contextAwareOfClientClose(ctx)
				defer cancel()
				c.listenForever(ctx)
			case <-c.closed:
				return
			}
		}()
	}
	return nil
}

// Initialize performs the initialize request.
func (c *StreamableHTTP) Initialize(ctx context.Context) error {
	ctx, cancel := c.contextAwareOfClientClose(ctx)
	defer cancel()

	sessionID, err := c.rt.Initialize(ctx)
	if err != nil {
		return err // heldout:site
	}
	c.sessionID.Store(sessionID)
	c.initializedOnce.Do(func() {
		close(c.initialized)
	})
	return nil
}

// Close closes the transport and ends the server session.
func (c *StreamableHTTP) Close() error {
	select {
	case <-c.closed:
		return nil
	default:
	}
	close(c.closed)

	if sessionID := c.sessionID.Load().(string); sessionID != "" {
		c.sessionID.Store("")
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.rt.DeleteSession(ctx, sessionID); err != nil {
				log.Printf("failed to send close request: %v", err)
			}
		}()
	}
	c.wg.Wait()
	return nil
}

func (c *StreamableHTTP) listenForever(ctx context.Context) {
	for {
		err := c.rt.Listen(ctx, c.sessionID.Load().(string))
		if errors.Is(err, ErrGetMethodNotAllowed) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (c *StreamableHTTP) contextAwareOfClientClose(ctx context.Context) (context.Context, context.CancelFunc) {
	newCtx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-c.closed:
			cancel()
		case <-newCtx.Done():
			cancel()
		}
	}()
	return newCtx, cancel
}

// connect starts the transport and initialises the session.
func connect(ctx context.Context, rt roundTripper) (*StreamableHTTP, error) {
	c := NewStreamableHTTP(rt, true)
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	if err := c.Initialize(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// run is a client: it gives up (cancelling its context, never calling
// Close) when the session cannot be initialised.
func run(rt roundTripper, work func(*StreamableHTTP) error) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := connect(ctx, rt)
	if err != nil {
		return err
	}
	defer c.Close()
	return work(c)
}

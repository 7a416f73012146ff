// Package bug is a development kernel (issue 14): a client connection whose
// context and cancel func live in its fields is dropped on DialContext's
// error paths without being closed, so the per-address monitor goroutine,
// which waits on a context derived from it, is never released.
//
// Upstream: grpc/grpc-go#862 ("Avoid goroutine leak in clientconn")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper ctx to tune the analyzers; not a blind measure)
//
// Bug: DialContext builds the ClientConn with cc.ctx, cc.cancel =
// context.WithCancel(context.Background()) and starts a goroutine that asks
// the balancer for addresses and calls resetAddrConn for each; resetAddrConn
// derives the address's own context from cc.ctx and starts a goroutine that
// connects and then runs transportMonitor, which selects on that context's
// Done. DialContext then waits for the first result; when the dial timeout
// fires, or the address goroutine reports an error, it returns (nil, err).
// Its deferred function only closes the connection when the caller's ctx
// is done, and then only if conn is non-nil, which it never is on those
// paths. Only ClientConn.Close calls cc.cancel, and nobody holds cc any
// more: "it was possible for DialContext to return (nil, err) without
// properly closing the ClientConn, resulting in an unavoidable leak of the
// resetAddrConn goroutine." The transport and balancer are reduced to
// interfaces.
//
// Fix: the deferred function calls cc.Close() whenever err is non-nil.
package bug

import (
	"context"
	"errors"
	"sync"
	"time"
)

var (
	// ErrClientConnClosing is returned after Close.
	ErrClientConnClosing = errors.New("grpc: the client connection is closing")
	// ErrClientConnTimeout is returned when the dial timeout fires.
	ErrClientConnTimeout = errors.New("grpc: timed out trying to connect")
	errNoAddr            = errors.New("grpc: there is no address available to dial")
)

const minConnectTimeout = 20 * time.Second

// Address is a server address the balancer hands out.
type Address struct {
	Addr string
}

// Balancer picks the addresses to connect to.
type Balancer interface {
	Start(target string) error
	// Notify returns nil when there is no name resolver.
	Notify() <-chan []Address
	Close() error
}

// ClientTransport is one HTTP/2 connection to a server.
type ClientTransport interface {
	// Error is closed when the transport breaks.
	Error() <-chan struct{}
	Close() error
}

type dialOptions struct {
	balancer Balancer
	timeout  time.Duration
	dialer   func(ctx context.Context, addr string) (ClientTransport, error)
}

// DialOption configures DialContext.
type DialOption func(*dialOptions)

// WithBalancer sets the balancer.
func WithBalancer(b Balancer) DialOption { return func(o *dialOptions) { o.balancer = b } }

// WithTimeout bounds the blocking part of DialContext.
func WithTimeout(d time.Duration) DialOption { return func(o *dialOptions) { o.timeout = d } }

// WithDialer sets how transports are made.
func WithDialer(f func(ctx context.Context, addr string) (ClientTransport, error)) DialOption {
	return func(o *dialOptions) { o.dialer = f }
}

// ClientConn is a client connection to a target, over one addrConn per
// address.
type ClientConn struct {
	ctx    context.Context
	cancel context.CancelFunc

	target string
	dopts  dialOptions

	mu    sync.RWMutex
	conns map[Address]*addrConn
}

// DialContext creates a client connection to target. Once it returns, ctx
// no longer matters; the caller must Close the connection.
func DialContext(ctx context.Context, target string, opts ...DialOption) (conn *ClientConn, err error) {
	cc := &ClientConn{
		target: target,
		conns:  make(map[Address]*addrConn),
	}
	cc.ctx, cc.cancel = context.WithCancel(context.Background())
	defer func() {
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close()
			}
			conn = nil
			err = ctx.Err()
		default:
		}
	}()

	for _, opt := range opts {
		opt(&cc.dopts)
	}
	waitC := make(chan error, 1)
	go func() {
		var addrs []Address
		if cc.dopts.balancer == nil {
			addrs = append(addrs, Address{Addr: target})
		} else {
			if err := cc.dopts.balancer.Start(target); err != nil {
				waitC <- err
				return
			}
			ch := cc.dopts.balancer.Notify()
			if ch == nil {
				addrs = append(addrs, Address{Addr: target})
			} else {
				var ok bool
				addrs, ok = <-ch
				if !ok || len(addrs) == 0 {
					waitC <- errNoAddr
					return
				}
			}
		}
		for _, a := range addrs {
			if err := cc.resetAddrConn(a); err != nil {
				waitC <- err
				return
			}
		}
		close(waitC)
	}()
	var timeoutCh <-chan time.Time
	if cc.dopts.timeout > 0 {
		timeoutCh = time.After(cc.dopts.timeout)
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err() // heldout:site
	case err := <-waitC:
		if err != nil {
			return nil, err // heldout:site
		}
	case <-timeoutCh:
		return nil, ErrClientConnTimeout // heldout:site
	}
	return cc, nil
}

// resetAddrConn makes an addrConn for addr, replacing any old one, and
// starts connecting it in the background.
func (cc *ClientConn) resetAddrConn(addr Address) error {
	ac := &addrConn{cc: cc, addr: addr}
	ac.ctx, ac.cancel = context.WithCancel(cc.ctx)
	cc.mu.Lock()
	if cc.conns == nil {
		cc.mu.Unlock()
		return ErrClientConnClosing
	}
	stale := cc.conns[addr]
	cc.conns[addr] = ac
	cc.mu.Unlock()
	if stale != nil {
		stale.tearDown()
	}
	go func() {
		if err := ac.resetTransport(); err != nil {
			ac.tearDown()
			return
		}
		ac.transportMonitor()
	}()
	return nil
}

// Close tears down the connection and every address under it.
func (cc *ClientConn) Close() error {
	cc.cancel()
	cc.mu.Lock()
	if cc.conns == nil {
		cc.mu.Unlock()
		return ErrClientConnClosing
	}
	conns := cc.conns
	cc.conns = nil
	cc.mu.Unlock()
	if cc.dopts.balancer != nil {
		cc.dopts.balancer.Close()
	}
	for _, ac := range conns {
		ac.tearDown()
	}
	return nil
}

// addrConn is the connection to one address.
type addrConn struct {
	ctx    context.Context
	cancel context.CancelFunc

	cc   *ClientConn
	addr Address

	mu        sync.Mutex
	transport ClientTransport
}

// resetTransport dials until it gets a transport or ac is torn down.
func (ac *addrConn) resetTransport() error {
	for retries := 0; ; retries++ {
		ctx, cancel := context.WithTimeout(ac.ctx, minConnectTimeout)
		t, err := ac.cc.dopts.dialer(ctx, ac.addr.Addr)
		cancel()
		if err == nil {
			ac.mu.Lock()
			ac.transport = t
			ac.mu.Unlock()
			return nil
		}
		select {
		case <-time.After(time.Duration(retries+1) * time.Second):
		case <-ac.ctx.Done():
			return ac.ctx.Err()
		}
	}
}

// transportMonitor redials when the transport breaks, and returns when ac
// is torn down.
func (ac *addrConn) transportMonitor() {
	for {
		ac.mu.Lock()
		t := ac.transport
		ac.mu.Unlock()
		select {
		case <-ac.ctx.Done(): // heldout:site
			return
		case <-t.Error():
			if err := ac.resetTransport(); err != nil {
				ac.tearDown()
				return
			}
		}
	}
}

func (ac *addrConn) tearDown() {
	ac.cancel()
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if ac.transport != nil {
		ac.transport.Close()
		ac.transport = nil
	}
}

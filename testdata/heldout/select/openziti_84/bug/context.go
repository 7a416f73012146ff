// Package bug is a held-out kernel (issue 14): the Ziti SDK picks an edge
// router by measured latency and, when it already has one, still starts
// goroutines to connect the routers it is not connected to, passing them a
// result channel it left nil; two of the goroutine's returns do a plain
// send on that channel, which blocks for ever.
//
// Upstream: openziti/sdk-golang#84 ("router connection refresh leaks go routines")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: getEdgeRouterConn sorts the session's edge routers into connected
// ones (keeping the one with the best latency) and unconnected ones. It
// makes the result channel only when no connected router was found
// (`var ch chan *edgeRouterConnResult; if bestER == nil { ch = make(...) }`)
// and starts connectEdgeRouter for every URL of every unconnected router
// either way, then returns bestER at once. connectEdgeRouter reports a
// connection found in the cache, and a URL that fails to parse, with a
// plain `ret <- ...`; its dial-failure and success returns already use a
// select with default. With ret nil, the plain sends block for ever; the
// issue: "accepts a return channel, which is sometimes nil. There are
// blind sends on this that block forever." The latency histogram, the
// channel2 dialer and the concurrent map are our reduction to small
// interfaces and a mutex-guarded map.
//
// Fix (openziti/sdk-golang#85): every report goes through a retF helper
// that sends in a select with default, which never blocks on a nil
// channel (or on a full one once the caller has returned).
package bug

import (
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// RouterConn is a connection to an edge router.
type RouterConn interface {
	Key() string
	GetRouterName() string
	IsClosed() bool
	Close() error
	Latency() (time.Duration, bool)
}

// EdgeRouter is a router a session may use.
type EdgeRouter struct {
	Name string
	Urls []string
}

// Session is a service session.
type Session struct {
	Token       string
	EdgeRouters []EdgeRouter
}

type edgeRouterConnResult struct {
	routerURL        string
	routerConnection RouterConn
	err              error
}

// connMap is the context's router connection cache.
type connMap struct {
	mu sync.Mutex
	m  map[string]RouterConn
}

func (c *connMap) Get(key string) (RouterConn, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, ok := c.m[key]
	return conn, ok
}

func (c *connMap) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// Upsert keeps an existing connection and closes the new one.
func (c *connMap) Upsert(key string, conn RouterConn) RouterConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		go conn.Close()
		return old
	}
	c.m[key] = conn
	return conn
}

type contextImpl struct {
	routerConnections *connMap
	dial              func(routerName string, addr *url.URL) (RouterConn, error)
}

func (context *contextImpl) getEdgeRouterConn(session *Session, timeout time.Duration) (RouterConn, error) {
	if len(session.EdgeRouters) == 0 {
		return nil, errors.New("no edge routers available")
	}

	var bestER RouterConn
	var bestLatency = time.Duration(1<<63 - 1)
	var unconnected []EdgeRouter
	for _, edgeRouter := range session.EdgeRouters {
		for _, routerURL := range edgeRouter.Urls {
			if er, found := context.routerConnections.Get(routerURL); found {
				if l, ok := er.Latency(); ok && l < bestLatency {
					bestLatency = l
					bestER = er
				}
			} else {
				unconnected = append(unconnected, edgeRouter)
			}
		}
	}

	var ch chan *edgeRouterConnResult
	if bestER == nil {
		ch = make(chan *edgeRouterConnResult, len(unconnected))
	}

	for _, edgeRouter := range unconnected {
		for _, routerURL := range edgeRouter.Urls {
			go context.connectEdgeRouter(edgeRouter.Name, routerURL, ch) // heldout:site
		}
	}

	if bestER != nil {
		return bestER, nil
	}

	deadline := time.After(timeout)
	for {
		select {
		case f := <-ch:
			if f.routerConnection != nil {
				return f.routerConnection, nil
			}
		case <-deadline:
			return nil, errors.New("no edge routers connected in time")
		}
	}
}

func (context *contextImpl) connectEdgeRouter(routerName, ingressURL string, ret chan *edgeRouterConnResult) {
	if conn, found := context.routerConnections.Get(ingressURL); found {
		if !conn.IsClosed() {
			ret <- &edgeRouterConnResult{routerURL: ingressURL, routerConnection: conn} // heldout:site
			return
		}
		context.routerConnections.Remove(ingressURL)
	}

	ingAddr, err := url.Parse(ingressURL)
	if err != nil {
		ret <- &edgeRouterConnResult{routerURL: ingressURL, err: err} // heldout:site
		return
	}

	conn, err := context.dial(routerName, ingAddr)
	if err != nil {
		select {
		case ret <- &edgeRouterConnResult{routerURL: ingressURL, err: fmt.Errorf("dial %s: %w", ingressURL, err)}:
		default:
		}
		return
	}

	useConn := context.routerConnections.Upsert(ingressURL, conn)

	select {
	case ret <- &edgeRouterConnResult{routerURL: ingressURL, routerConnection: useConn}:
	default:
	}
}

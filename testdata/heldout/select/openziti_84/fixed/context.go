// Package fixed is the fixed version of select/openziti_84: every result
// connectEdgeRouter reports goes through a select with default, so a nil
// (or abandoned) result channel no longer blocks the goroutine.
package fixed

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
			go context.connectEdgeRouter(edgeRouter.Name, routerURL, ch)
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
	retF := func(res *edgeRouterConnResult) {
		select {
		case ret <- res:
		default:
		}
	}

	if conn, found := context.routerConnections.Get(ingressURL); found {
		if !conn.IsClosed() {
			retF(&edgeRouterConnResult{routerURL: ingressURL, routerConnection: conn})
			return
		}
		context.routerConnections.Remove(ingressURL)
	}

	ingAddr, err := url.Parse(ingressURL)
	if err != nil {
		retF(&edgeRouterConnResult{routerURL: ingressURL, err: err})
		return
	}

	conn, err := context.dial(routerName, ingAddr)
	if err != nil {
		retF(&edgeRouterConnResult{routerURL: ingressURL, err: fmt.Errorf("dial %s: %w", ingressURL, err)})
		return
	}

	useConn := context.routerConnections.Upsert(ingressURL, conn)

	retF(&edgeRouterConnResult{routerURL: ingressURL, routerConnection: useConn})
}

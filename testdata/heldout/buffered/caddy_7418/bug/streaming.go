// Package bug is a held-out kernel (issue 14): Caddy's reverse proxy
// copies an upgraded (websocket) connection in two goroutines that each
// send their final error on errc, which holds one value, and then call
// wg.Done; when stream_timeout fires, handleUpgradeResponse returns
// without receiving from errc, both copies fail on the closed connections,
// the second send blocks for ever, and the request's wg.Wait never returns.
//
// Upstream: caddyserver/caddy#7418 ("Deferred \"on close\" Log Not Triggered When stream_timeout Expires in Reverse Proxy WebSocket Scenario")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: handleUpgradeResponse hijacks the client connection, makes
// `errc := make(chan error, 1)`, does wg.Add(2) and starts copyToBackend
// and copyFromBackend, each of which runs io.Copy, sends its error on errc
// and calls wg.Done. It then selects on errc and on the stream timeout.
// On an error it takes one value and returns; its deferred closes end the
// other copy, whose send fits in the buffer. On the timeout it takes none:
// the deferred closes make both copies fail, the first error fills the
// buffer and the second copier blocks on its send before wg.Done, so the
// caller waiting on the WaitGroup hangs (the reporter's middleware never
// logs "on close"). The issue gives the diagnosis; hijacking, h2
// websockets, connection registration and logging are left out, and
// finalizeResponse waiting on wg after the upgrade is our reading of
// reverseproxy.go.
//
// Fix: errc has room for both copiers' errors, so neither send waits for
// a receiver whichever way handleUpgradeResponse returned (our reading of
// the fix; the thread closes on the diagnosis).
package bug

import (
	"io"
	"log"
	"sync"
	"time"
)

// Handler is the reverse proxy handler.
type Handler struct {
	StreamTimeout time.Duration
}

// switchProtocolCopier exists so goroutines proxying data back and
// forth have nice names in stacks.
type switchProtocolCopier struct {
	user, backend io.ReadWriteCloser
	wg            *sync.WaitGroup
}

func (c switchProtocolCopier) copyFromBackend(errc chan<- error) {
	_, err := io.Copy(c.user, c.backend)
	errc <- err // heldout:site
	c.wg.Done()
}

func (c switchProtocolCopier) copyToBackend(errc chan<- error) {
	_, err := io.Copy(c.backend, c.user)
	errc <- err // heldout:site
	c.wg.Done()
}

func (h *Handler) handleUpgradeResponse(wg *sync.WaitGroup, conn, backConn io.ReadWriteCloser) {
	defer backConn.Close()

	start := time.Now()
	defer func() {
		conn.Close()
		log.Printf("connection closed after %v", time.Since(start))
	}()

	spc := switchProtocolCopier{user: conn, backend: backConn, wg: wg}

	// setup the timeout if requested
	var timeoutc <-chan time.Time
	if h.StreamTimeout > 0 {
		timer := time.NewTimer(h.StreamTimeout)
		defer timer.Stop()
		timeoutc = timer.C
	}

	errc := make(chan error, 1)
	wg.Add(2)
	go spc.copyToBackend(errc)
	go spc.copyFromBackend(errc)
	select {
	case err := <-errc:
		log.Printf("streaming error: %v", err)
	case t := <-timeoutc:
		log.Printf("stream timed out at %v", t) // heldout:site
	}
}

// finalizeResponse proxies a 101 Switching Protocols response and waits
// for both copies to finish before the request is done.
func (h *Handler) finalizeResponse(conn, backConn io.ReadWriteCloser) {
	var wg sync.WaitGroup
	h.handleUpgradeResponse(&wg, conn, backConn)
	wg.Wait() // heldout:site
}

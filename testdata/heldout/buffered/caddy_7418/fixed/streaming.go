// Package fixed is the fixed version of buffered/caddy_7418: errc holds
// both copiers' errors, so neither copier blocks on its send when
// handleUpgradeResponse has returned on the stream timeout.
package fixed

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
	errc <- err
	c.wg.Done()
}

func (c switchProtocolCopier) copyToBackend(errc chan<- error) {
	_, err := io.Copy(c.backend, c.user)
	errc <- err
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

	// one slot per copier: after a timeout nobody receives
	errc := make(chan error, 2)
	wg.Add(2)
	go spc.copyToBackend(errc)
	go spc.copyFromBackend(errc)
	select {
	case err := <-errc:
		log.Printf("streaming error: %v", err)
	case t := <-timeoutc:
		log.Printf("stream timed out at %v", t)
	}
}

// finalizeResponse proxies a 101 Switching Protocols response and waits
// for both copies to finish before the request is done.
func (h *Handler) finalizeResponse(conn, backConn io.ReadWriteCloser) {
	var wg sync.WaitGroup
	h.handleUpgradeResponse(&wg, conn, backConn)
	wg.Wait()
}

// Package bug is a held-out kernel (issue 14): several node components
// report fatal errors on one unbuffered channel that is read once.
//
// Upstream: nspcc-dev/neofs-node#2308 ("(almost) Stop using deprecated subscription NeoGo APIs")
// Round: 14
//
// Bug: the storage node's config keeps an internalErr channel, made
// unbuffered, on which every background component (the gRPC servers, the
// morph notification listener, the subscriber worker) sends its fatal
// error. main waits for the first such error or for a signal, then shuts
// down: it closes the components and waits for their goroutines. Only one
// error is ever received, so when a second component fails (a lost morph
// connection typically takes down the listener and the subscriber
// together) its send blocks for ever, its goroutine never calls Done, and
// shutdown hangs in the WaitGroup. The component interface, the WaitGroup
// and the closers are our reduction of cmd/neofs-node.
//
// Fix: the PR made the channel buffered ("We only need one error, but we
// can have multiple senders"); the review agreed on a non-blocking write,
// since one error is all main reads. The kernel's fixed version does both.
package bug

import (
	"context"
	"log"
	"sync"
)

// Component is one long-running part of the node.
type Component interface {
	Name() string
	Serve(ctx context.Context) error
	Close()
}

type cfg struct {
	ctx         context.Context
	cancel      context.CancelFunc
	internalErr chan error
	wg          sync.WaitGroup
	components  []Component
}

func initCfg(components []Component) *cfg {
	ctx, cancel := context.WithCancel(context.Background())
	return &cfg{
		ctx:         ctx,
		cancel:      cancel,
		internalErr: make(chan error),
		components:  components,
	}
}

func (c *cfg) startWorker(comp Component) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := comp.Serve(c.ctx); err != nil {
			log.Printf("%s: %v", comp.Name(), err)
			c.internalErr <- err // heldout:site
		}
	}()
}

func (c *cfg) run() {
	for _, comp := range c.components {
		c.startWorker(comp)
	}
}

func wait(c *cfg, sig <-chan struct{}) {
	select {
	case <-sig:
		log.Print("termination signal received")
	case err := <-c.internalErr:
		log.Printf("internal application error: %v", err)
	}
}

func shutdown(c *cfg) {
	c.cancel()
	for _, comp := range c.components {
		comp.Close()
	}
	c.wg.Wait() // heldout:site
}

// Main runs the node until a signal or the first internal error.
func Main(components []Component, sig <-chan struct{}) {
	c := initCfg(components)
	c.run()
	wait(c, sig)
	shutdown(c)
}

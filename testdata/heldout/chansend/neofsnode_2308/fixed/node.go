// Package fixed is the fixed version of chansend/neofsnode_2308: the
// error channel is buffered and a component whose error is not needed
// drops it instead of blocking.
package fixed

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
		internalErr: make(chan error, 10), // We only need one error, but we can have multiple senders.
		components:  components,
	}
}

func (c *cfg) startWorker(comp Component) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := comp.Serve(c.ctx); err != nil {
			log.Printf("%s: %v", comp.Name(), err)
			select {
			case c.internalErr <- err:
			default:
			}
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
	c.wg.Wait()
}

// Main runs the node until a signal or the first internal error.
func Main(components []Component, sig <-chan struct{}) {
	c := initCfg(components)
	c.run()
	wait(c, sig)
	shutdown(c)
}

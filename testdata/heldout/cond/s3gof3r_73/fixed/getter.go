// Package fixed is the fixed version of cond/s3gof3r_73: Close stops the
// workers and wakes the goroutine waiting for a chunk, which then returns.
package fixed

import (
	"errors"
	"sync"
)

var errClosed = errors.New("getter closed")

type chunk struct {
	id int
	b  []byte
}

type getter struct {
	cond       *sync.Cond
	readChunks map[int]*chunk
	cIdx       int
	closed     bool

	getCh chan *chunk
	quit  chan struct{}
	wg    sync.WaitGroup
	fetch func(c *chunk) error
}

func newGetter(workers int, fetch func(c *chunk) error) *getter {
	g := &getter{
		cond:       sync.NewCond(&sync.Mutex{}),
		readChunks: make(map[int]*chunk),
		getCh:      make(chan *chunk),
		quit:       make(chan struct{}),
		fetch:      fetch,
	}
	for i := 0; i < workers; i++ {
		g.wg.Add(1)
		go g.worker()
	}
	return g
}

func (g *getter) worker() {
	defer g.wg.Done()
	for {
		select {
		case c := <-g.getCh:
			if err := g.fetch(c); err != nil {
				continue
			}
			g.cond.L.Lock()
			g.readChunks[c.id] = c
			g.cond.L.Unlock()
			g.cond.Broadcast()
		case <-g.quit:
			return
		}
	}
}

// getChunk returns the next chunk in order, waiting for it if needed.
func (g *getter) getChunk() (*chunk, error) {
	g.cond.L.Lock()
	defer g.cond.L.Unlock()
	for {
		if g.closed {
			return nil, errClosed
		}
		if c, ok := g.readChunks[g.cIdx]; ok {
			delete(g.readChunks, g.cIdx)
			g.cIdx++
			return c, nil
		}
		g.cond.Wait()
	}
}

// Close stops the download.
func (g *getter) Close() error {
	g.cond.L.Lock()
	if g.closed {
		g.cond.L.Unlock()
		return errClosed
	}
	g.closed = true
	g.cond.L.Unlock()
	close(g.quit)
	g.cond.Broadcast()
	return nil
}

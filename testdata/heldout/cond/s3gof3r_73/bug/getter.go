// Package bug is a held-out kernel (issue 14): a parallel S3 reader whose
// chunk wait is never woken after Close.
//
// Upstream: rlmcpherson/s3gof3r#73 ("Wake up waiting getChunk getter goroutines on Close, close getter quit channel")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: the getter downloads chunks with worker goroutines that store each
// finished chunk and Broadcast g.cond; getChunk waits on g.cond until the
// chunk it needs next has arrived. Closing the reader stops the workers
// (so the chunk never arrives) but neither wakes nor tells the goroutine
// in getChunk, which stays in g.cond.Wait() for good: one goroutine left
// per closed S3 reader. The PR title and description give this; the
// chunk bookkeeping is our reduction.
//
// Fix: Close marks the getter closed, closes the quit channel the workers
// watch, and Broadcasts g.cond; getChunk returns an error when it wakes to
// a closed getter.
package bug

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
		if c, ok := g.readChunks[g.cIdx]; ok {
			delete(g.readChunks, g.cIdx)
			g.cIdx++
			return c, nil
		}
		g.cond.Wait() // heldout:site
	}
}

// Close stops the download.
func (g *getter) Close() error {
	g.cond.L.Lock()
	if g.closed {
		g.cond.L.Unlock()
		return errClosed
	}
	g.closed = true // heldout:site
	g.cond.L.Unlock()
	return nil
}

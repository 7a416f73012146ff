// Package bug is a held-out kernel (issue 14): a reader made cancelable
// by a goroutine that does the blocking reads; Read gives up when the
// context is done, but the goroutine never looks at the context, so it
// stays blocked for ever handing over the data of the abandoned read, or
// waiting for a size that no Read will send again.
//
// Upstream: xelaj/go-dry#3 ("Shut down CancelableReader.begin() on context exit")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: NewCancelableReader starts begin, a loop that receives the wanted
// size on sizeWant, reads that many bytes with io.ReadFull and sends them
// on the unbuffered data channel (or records the error and closes data).
// Read sends the size and selects on ctx.Done() and data. Once the
// context is done Read returns ctx.Err(), and begin, blocked in data <-
// buf or in <-sizeWant, leaks with its connection: the mtproto client
// saw one leaked goroutine per closed session (xelaj/mtproto discussion
// 89, linked from the PR).
//
// Fix: begin selects on ctx.Done() around both its receive of the size
// and its send of the data, and returns when the context is done. Our
// fixed version also makes Read's send of the size select on ctx.Done(),
// so that a Read after begin has returned does not block on it.
package bug

import (
	"context"
	"io"
	"strconv"
)

// CancelableReader reads with a context.
type CancelableReader struct {
	ctx  context.Context
	data chan []byte

	// sizeWant carries the size of the next read; begin reads nothing
	// until it gets one.
	sizeWant chan int

	err error
	r   io.Reader
}

func (c *CancelableReader) begin() {
	for {
		sizewant := <-c.sizeWant // heldout:site
		buf := make([]byte, sizewant)
		n, err := io.ReadFull(c.r, buf)
		if err != nil {
			c.err = err
			close(c.data)
			return
		}
		if n != sizewant {
			panic("read " + strconv.Itoa(n) + ", want " + strconv.Itoa(sizewant))
		}
		c.data <- buf // heldout:site
	}
}

// Read reads len(p) bytes, or returns when the context is done.
func (c *CancelableReader) Read(p []byte) (int, error) {
	c.sizeWant <- len(p)
	select {
	case <-c.ctx.Done():
		return 0, c.ctx.Err() // heldout:site
	case d, ok := <-c.data:
		if !ok {
			return 0, c.err
		}
		copy(p, d)
		return len(d), nil
	}
}

// ReadByte reads one byte.
func (c *CancelableReader) ReadByte() (byte, error) {
	b := make([]byte, 1)
	if _, err := c.Read(b); err != nil {
		return 0, err
	}
	return b[0], nil
}

// NewCancelableReader wraps r; reads give up when ctx is done.
func NewCancelableReader(ctx context.Context, r io.Reader) *CancelableReader {
	c := &CancelableReader{
		r:        r,
		ctx:      ctx,
		data:     make(chan []byte),
		sizeWant: make(chan int),
	}
	go c.begin()
	return c
}

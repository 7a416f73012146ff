// Package fixed is the fixed version of context/godry_3: the reading
// goroutine, and Read's request to it, select on the context.
package fixed

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
		var sizewant int
		select {
		case sizewant = <-c.sizeWant:
		case <-c.ctx.Done():
			return
		}
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
		select {
		case c.data <- buf:
		case <-c.ctx.Done():
			return
		}
	}
}

// Read reads len(p) bytes, or returns when the context is done.
func (c *CancelableReader) Read(p []byte) (int, error) {
	select {
	case c.sizeWant <- len(p):
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
	select {
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
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

package real

import (
	"context"
	"io"
	"time"
)

// A field's sender that closes the channel itself, once it is done
// sending: the close comes after its sends on the same goroutine, so it
// cannot release one of them, and the receiver that leaves through
// another case still leaves that send blocked.

// Upstream: xelaj/go-dry#3. A goroutine reads on behalf of a reader: it
// takes the wanted size, reads, and hands the bytes over on an unbuffered
// channel, closing it when a read fails. Read waits for the bytes or for
// its context; once the context wins, the goroutine blocks on its hand-
// over for ever. Fix: the goroutine selects on the context around its
// send.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	want chan int
	data chan []byte
	err  error
}

func newCtxReader(ctx context.Context, r io.Reader) *ctxReader {
	c := &ctxReader{ctx: ctx, r: r, want: make(chan int, 1), data: make(chan []byte)}
	go c.loop()
	return c
}

func (c *ctxReader) loop() {
	for n := range c.want {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			c.err = err
			close(c.data)
			return
		}
		c.data <- buf // want `this send on an unbuffered channel \(field data\) has one receiver, the select in read`
	}
}

func (c *ctxReader) read(p []byte) (int, error) {
	c.want <- len(p)
	select {
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	case d, ok := <-c.data:
		if !ok {
			return 0, c.err
		}
		return copy(p, d), nil
	}
}

func readAll(ctx context.Context, r io.Reader, p []byte) (int, error) {
	return newCtxReader(ctx, r).read(p)
}

// The fix: the hand-over watches the context.
type ctxReaderFixed struct {
	ctx  context.Context
	r    io.Reader
	want chan int
	data chan []byte
	err  error
}

func newCtxReaderFixed(ctx context.Context, r io.Reader) *ctxReaderFixed {
	c := &ctxReaderFixed{ctx: ctx, r: r, want: make(chan int, 1), data: make(chan []byte)}
	go c.loop()
	return c
}

func (c *ctxReaderFixed) loop() {
	for n := range c.want {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			c.err = err
			close(c.data)
			return
		}
		select {
		case c.data <- buf:
		case <-c.ctx.Done():
			return
		}
	}
}

func (c *ctxReaderFixed) read(p []byte) (int, error) {
	c.want <- len(p)
	select {
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	case d, ok := <-c.data:
		if !ok {
			return 0, c.err
		}
		return copy(p, d), nil
	}
}

func readAllFixed(ctx context.Context, r io.Reader, p []byte) (int, error) {
	return newCtxReaderFixed(ctx, r).read(p)
}

// A variant: the producer defers its close, and the consumer gives up
// after a timeout.
type firstLine struct {
	lines chan string
}

func (f *firstLine) produce(src []string) {
	defer close(f.lines)
	for _, l := range src {
		f.lines <- l // want `this send on an unbuffered channel \(field lines\) has one receiver, the select in first`
	}
}

func (f *firstLine) first(wait time.Duration) (string, bool) {
	select {
	case <-time.After(wait):
		return "", false
	case l, ok := <-f.lines:
		return l, ok
	}
}

func newFirstLine(src []string) *firstLine {
	f := &firstLine{lines: make(chan string)}
	go f.produce(src)
	return f
}

func feedFirst(src []string, wait time.Duration) (string, bool) {
	return newFirstLine(src).first(wait)
}

// Look-alike: the channel is closed by another function than its sender,
// a stop that may run while a send is pending: another pattern, not this
// one.
type firstLineStopped struct {
	lines chan string
}

func (f *firstLineStopped) produce(src []string) {
	for _, l := range src {
		f.lines <- l
	}
}

func (f *firstLineStopped) stop() { close(f.lines) }

func (f *firstLineStopped) first(wait time.Duration) (string, bool) {
	select {
	case <-time.After(wait):
		return "", false
	case l, ok := <-f.lines:
		return l, ok
	}
}

func feedFirstStopped(src []string, wait time.Duration) (string, bool) {
	f := &firstLineStopped{lines: make(chan string)}
	go f.produce(src)
	defer f.stop()
	return f.first(wait)
}

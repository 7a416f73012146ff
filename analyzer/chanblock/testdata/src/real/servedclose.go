package real

import (
	"errors"
	"sync"
)

// A goroutine that serves requests from a channel until it is closed,
// while the channel lives on only in a field of an object whose Close
// does not close it.

// Upstream: minio/minio-go#1687 (GetObject's goroutine loops receiving
// read requests and returns once reqCh is closed; after an earlier change
// dropped its exit on the context, Object.Close only marked the object
// closed, and every object left its goroutine behind). Fix: Close closes
// reqCh. Reduced in our own words.
type chunkReq struct {
	off int64
	buf []byte
}

type chunkReader struct {
	mu     sync.Mutex
	reqs   chan<- chunkReq
	sizes  <-chan int
	closed bool
}

func openChunks(fetch func(off int64, buf []byte) int) *chunkReader {
	reqs := make(chan chunkReq)
	sizes := make(chan int)
	go func() {
		defer close(sizes)
		for {
			r, ok := <-reqs // want `this goroutine returns when its channel is closed \(line \d+\), but nothing closes it: the channel is kept in field reqs of chunkReader, whose Close does not close it`
			if !ok {
				return
			}
			sizes <- fetch(r.off, r.buf)
		}
	}()
	return &chunkReader{reqs: reqs, sizes: sizes}
}

func (c *chunkReader) Read(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, errors.New("closed")
	}
	c.reqs <- chunkReq{buf: b}
	return <-c.sizes, nil
}

func (c *chunkReader) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

// The fix: Close closes the request channel.
type chunkReaderFixed struct {
	mu     sync.Mutex
	reqs   chan<- chunkReq
	sizes  <-chan int
	closed bool
}

func openChunksFixed(fetch func(off int64, buf []byte) int) *chunkReaderFixed {
	reqs := make(chan chunkReq)
	sizes := make(chan int)
	go func() {
		defer close(sizes)
		for {
			r, ok := <-reqs
			if !ok {
				return
			}
			sizes <- fetch(r.off, r.buf)
		}
	}()
	return &chunkReaderFixed{reqs: reqs, sizes: sizes}
}

func (c *chunkReaderFixed) Read(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, errors.New("closed")
	}
	c.reqs <- chunkReq{buf: b}
	return <-c.sizes, nil
}

func (c *chunkReaderFixed) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.reqs)
	}
	return nil
}

// Variant (ours): the server is a method started with the channel as its
// argument, and ranges over it; the owner's Stop forgets it.
type docIndexer struct {
	docs chan string
	seen map[string]bool
}

func newDocIndexer() *docIndexer {
	docs := make(chan string, 8)
	ix := &docIndexer{seen: map[string]bool{}}
	ix.docs = docs
	go ix.serve(docs)
	return ix
}

func (ix *docIndexer) serve(docs <-chan string) {
	for d := range docs { // want `this goroutine returns when its channel is closed \(line \d+\), but nothing closes it: the channel is kept in field docs of docIndexer, whose Stop does not close it`
		ix.seen[d] = true
	}
}

// Add queues a document.
func (ix *docIndexer) Add(d string) { ix.docs <- d }

// Stop drops the index.
func (ix *docIndexer) Stop() { ix.seen = nil }

// Variant (ours): the closed test is negated, and the server also leaves
// on an error.
type uploader struct {
	parts chan []byte
	err   error
}

func newUploader(put func([]byte) error) *uploader {
	parts := make(chan []byte)
	u := &uploader{parts: parts}
	go func() {
		for {
			p, more := <-parts // want `this goroutine returns when its channel is closed`
			if !more {
				return
			}
			if err := put(p); err != nil {
				return
			}
		}
	}()
	return u
}

// Write queues a part.
func (u *uploader) Write(p []byte) { u.parts <- p }

// Shutdown ends the upload.
func (u *uploader) Shutdown() { u.err = errors.New("shut down") }

// Look-alike (ours): a worker for the program's life; its owner has no
// method that ends it, so nothing is expected to close the queue.
type logSink struct {
	lines chan string
}

func newLogSink(write func(string)) *logSink {
	lines := make(chan string, 64)
	go func() {
		for {
			l, ok := <-lines
			if !ok {
				return
			}
			write(l)
		}
	}()
	return &logSink{lines: lines}
}

// Log queues a line.
func (s *logSink) Log(l string) { s.lines <- l }

// Look-alike (ours): the channel also stays in a package variable, which
// code elsewhere may close.
var lastQueue chan int

type counterQueue struct {
	in chan int
}

func newCounterQueue(add func(int)) *counterQueue {
	in := make(chan int)
	lastQueue = in
	go func() {
		for {
			v, ok := <-in
			if !ok {
				return
			}
			add(v)
		}
	}()
	return &counterQueue{in: in}
}

// Close is a no-op here; the owner of lastQueue closes it.
func (q *counterQueue) Close() {}

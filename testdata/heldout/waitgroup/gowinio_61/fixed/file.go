// Package fixed is the fixed version of waitgroup/gowinio_61: prepareIo
// returns ErrFileClosed before adding to the WaitGroup.
//
// Upstream: microsoft/go-winio#61 ("Don't increment the wait count if the file is closing")
// Round: 19
package fixed

import (
	"errors"
	"io"
	"sync"
)

// ErrFileClosed is returned for I/O on a closed file.
var ErrFileClosed = errors.New("file has already been closed")

// Handle is the operating system handle under a win32File.
type Handle interface {
	ReadFile(b []byte) (int, error)
	WriteFile(b []byte) (int, error)
	CancelIo() error
	Close() error
}

// ioOperation is one outstanding I/O.
type ioOperation struct {
	ch chan ioResult
}

type ioResult struct {
	bytes int
	err   error
}

// win32File implements Reader, Writer and Closer on a handle.
type win32File struct {
	handle  Handle
	wg      sync.WaitGroup
	closing bool
}

// MakeOpenFile wraps an open handle.
func MakeOpenFile(h Handle) (io.ReadWriteCloser, error) {
	return &win32File{handle: h}, nil
}

// closeHandle closes the resources associated with the handle.
func (f *win32File) closeHandle() {
	if !f.closing {
		// cancel all IO and wait for it to complete
		f.closing = true
		_ = f.handle.CancelIo()
		f.wg.Wait()
		// at this point, no new IO can start
		_ = f.handle.Close()
		f.handle = nil
	}
}

// Close closes a win32File.
func (f *win32File) Close() error {
	f.closeHandle()
	return nil
}

// prepareIo prepares for a new IO operation. The caller must call
// f.wg.Done() when the IO is finished, prior to Close() returning.
func (f *win32File) prepareIo() (*ioOperation, error) {
	if f.closing {
		return nil, ErrFileClosed
	}
	f.wg.Add(1)
	c := &ioOperation{}
	c.ch = make(chan ioResult, 1)
	return c, nil
}

// asyncIO runs the operation and waits for its completion.
func (f *win32File) asyncIO(c *ioOperation, op func() (int, error)) (int, error) {
	go func() {
		n, err := op()
		c.ch <- ioResult{n, err}
	}()
	r := <-c.ch
	if r.err != nil && f.closing {
		return r.bytes, ErrFileClosed
	}
	return r.bytes, r.err
}

// Read reads from a file handle.
func (f *win32File) Read(b []byte) (int, error) {
	c, err := f.prepareIo()
	if err != nil {
		return 0, err
	}
	defer f.wg.Done()

	n, err := f.asyncIO(c, func() (int, error) { return f.handle.ReadFile(b) })
	if err == nil && n == 0 && len(b) != 0 {
		return 0, io.EOF
	}
	return n, err
}

// Write writes to a file handle.
func (f *win32File) Write(b []byte) (int, error) {
	c, err := f.prepareIo()
	if err != nil {
		return 0, err
	}
	defer f.wg.Done()

	return f.asyncIO(c, func() (int, error) { return f.handle.WriteFile(b) })
}

// Package bug is a held-out kernel (issue 14): an NBD dispatcher's request
// goroutines report storage errors into a fatal-error channel buffered to
// eight that only the request loop reads, and that loop returns on the
// first one; once the buffer is full, every later failing request blocks
// on its send before marking itself done, and Drain waits for ever.
//
// Upstream: e2b-dev/infra#343 ("Try to fix NBD panic")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: cmdRead and cmdWrite add the request to pendingResponses and run
// it in a goroutine that, on error, sends the error on d.fatal (capacity
// 8) and then calls pendingResponses.Done(). Handle polls d.fatal between
// requests and returns the first error it finds; nothing reads the
// channel after that. The PR: "the Wait() method might get stuck if
// pendingResponses are not 0. This should be possible only if the fatal
// channel gets full (8 errors) and no new errors can be inserted. Then it
// will not decrease pendingResponses and Wait will be deadlocked." The
// socket parsing is reduced to a Request channel.
//
// Fix: the goroutines offer the error to d.fatal in a select with a
// default that logs it, so they always reach Done.
package bug

import (
	"context"
	"errors"
	"sync"
)

// ErrShuttingDown is returned for requests that arrive after Drain.
var ErrShuttingDown = errors.New("shutting down. Cannot serve any new requests")

// Provider is the device's backing storage.
type Provider interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
}

// Request is one parsed NBD request.
type Request struct {
	Write  bool
	Handle uint64
	From   uint64
	Data   []byte
	Length uint32
}

// Dispatch serves NBD requests against a provider.
type Dispatch struct {
	prov             Provider
	reply            func(errCode uint32, handle uint64, data []byte) error
	pendingResponses sync.WaitGroup
	shuttingDown     bool
	shuttingDownLock sync.Mutex
	fatal            chan error
}

// NewDispatch returns a dispatcher that answers through reply.
func NewDispatch(prov Provider, reply func(uint32, uint64, []byte) error) *Dispatch {
	return &Dispatch{
		prov:  prov,
		reply: reply,
		fatal: make(chan error, 8), // heldout:site
	}
}

// Drain refuses new requests and waits for the pending ones.
func (d *Dispatch) Drain() {
	d.shuttingDownLock.Lock()
	d.shuttingDown = true
	defer d.shuttingDownLock.Unlock()
	d.pendingResponses.Wait() // heldout:site
}

// Handle serves requests until one fails fatally or ctx is done.
func (d *Dispatch) Handle(ctx context.Context, reqs <-chan Request) error {
	for {
		select {
		case err := <-d.fatal:
			return err // heldout:site
		case <-ctx.Done():
			return ctx.Err()
		case req, ok := <-reqs:
			if !ok {
				return nil
			}
			var err error
			if req.Write {
				err = d.cmdWrite(req.Handle, req.From, req.Data)
			} else {
				err = d.cmdRead(req.Handle, req.From, req.Length)
			}
			if err != nil {
				return err
			}
		}
	}
}

func (d *Dispatch) begin() error {
	d.shuttingDownLock.Lock()
	defer d.shuttingDownLock.Unlock()
	if d.shuttingDown {
		return ErrShuttingDown
	}
	d.pendingResponses.Add(1)
	return nil
}

func (d *Dispatch) cmdRead(handle, from uint64, length uint32) error {
	if err := d.begin(); err != nil {
		return err
	}
	go func() {
		data := make([]byte, length)
		_, err := d.prov.ReadAt(data, int64(from))
		if err != nil {
			err = d.reply(1, handle, nil)
		} else {
			err = d.reply(0, handle, data)
		}
		if err != nil {
			d.fatal <- err // heldout:site
		}
		d.pendingResponses.Done()
	}()
	return nil
}

func (d *Dispatch) cmdWrite(handle, from uint64, data []byte) error {
	if err := d.begin(); err != nil {
		return err
	}
	go func() {
		_, err := d.prov.WriteAt(data, int64(from))
		if err != nil {
			err = d.reply(1, handle, nil)
		} else {
			err = d.reply(0, handle, nil)
		}
		if err != nil {
			d.fatal <- err // heldout:site
		}
		d.pendingResponses.Done()
	}()
	return nil
}

// Package fixed is the fixed version of buffered/e2binfra_343: a request
// goroutine offers its error to the fatal channel and logs it when the
// channel is full, so it always reaches Done and Drain returns.
package fixed

import (
	"context"
	"errors"
	"log"
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
		fatal: make(chan error, 8),
	}
}

// Drain refuses new requests and waits for the pending ones.
func (d *Dispatch) Drain() {
	d.shuttingDownLock.Lock()
	d.shuttingDown = true
	defer d.shuttingDownLock.Unlock()
	d.pendingResponses.Wait()
}

// Handle serves requests until one fails fatally or ctx is done.
func (d *Dispatch) Handle(ctx context.Context, reqs <-chan Request) error {
	for {
		select {
		case err := <-d.fatal:
			return err
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
			select {
			case d.fatal <- err:
			default:
				log.Printf("nbd error cmd read: %v", err)
			}
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
			select {
			case d.fatal <- err:
			default:
				log.Printf("nbd error cmd write: %v", err)
			}
		}
		d.pendingResponses.Done()
	}()
	return nil
}

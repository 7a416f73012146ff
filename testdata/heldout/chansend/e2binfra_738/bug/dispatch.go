// Package bug is a held-out kernel (issue 14): an NBD request dispatcher
// serves each read and write in a goroutine that runs the storage call in
// a further goroutine reporting on an unbuffered channel; when the
// sandbox's context is cancelled the handler answers the request and
// returns, and the storage goroutine blocks for ever on its send.
//
// Upstream: e2b-dev/infra#738 ("Fix goroutine leak in nbd")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: cmdRead and cmdWrite register the request in pendingResponses and
// start performRead/performWrite, which start the provider's ReadAt or
// WriteAt in a goroutine sending its error on errchan, made without a
// buffer, then select on ctx.Done() and errchan. When the context is
// cancelled first, the response is written with an error and nothing
// receives on errchan again; the PR shows thousands of goroutines parked
// at the two sends (chan send) in a production orchestrator. The request
// parsing loop is left out; the Provider interface, the shutdown flag and
// the fatal channel follow the dispatcher.
//
// Fix: errchan is made with a buffer of one ("buffered to avoid
// goroutine leak"), so the late send completes.
package bug

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"sync"
)

// ErrShuttingDown is returned for requests that arrive after Drain.
var ErrShuttingDown = errors.New("shutting down. Cannot serve any new requests")

// Provider is the device's backing storage.
type Provider interface {
	ReadAt(ctx context.Context, p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
}

const responseMagic = 0x67446698

// Dispatch answers the kernel's NBD requests on fp.
type Dispatch struct {
	fp               io.ReadWriter
	responseHeader   []byte
	writeLock        sync.Mutex
	prov             Provider
	pendingResponses sync.WaitGroup
	shuttingDown     bool
	shuttingDownLock sync.Mutex
	fatal            chan error
}

// NewDispatch returns a dispatcher over fp backed by prov.
func NewDispatch(fp io.ReadWriter, prov Provider) *Dispatch {
	d := &Dispatch{
		responseHeader: make([]byte, 16),
		fp:             fp,
		prov:           prov,
		fatal:          make(chan error, 1),
	}
	binary.BigEndian.PutUint32(d.responseHeader, responseMagic)
	return d
}

// Drain refuses new requests and waits for the pending ones.
func (d *Dispatch) Drain() {
	d.shuttingDownLock.Lock()
	d.shuttingDown = true
	defer d.shuttingDownLock.Unlock()
	d.pendingResponses.Wait()
}

func (d *Dispatch) writeResponse(respError uint32, respHandle uint64, chunk []byte) error {
	d.writeLock.Lock()
	defer d.writeLock.Unlock()
	binary.BigEndian.PutUint32(d.responseHeader[4:], respError)
	binary.BigEndian.PutUint64(d.responseHeader[8:], respHandle)
	if _, err := d.fp.Write(d.responseHeader); err != nil {
		return err
	}
	if len(chunk) > 0 {
		if _, err := d.fp.Write(chunk); err != nil {
			return err
		}
	}
	return nil
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

func (d *Dispatch) finish(what string, err error) {
	if err != nil {
		select {
		case d.fatal <- err:
		default:
			log.Printf("nbd error %s: %v", what, err)
		}
	}
	d.pendingResponses.Done()
}

func (d *Dispatch) cmdRead(ctx context.Context, cmdHandle, cmdFrom uint64, cmdLength uint32) error {
	if err := d.begin(); err != nil {
		return err
	}
	performRead := func(handle, from uint64, length uint32) error {
		errchan := make(chan error) // heldout:site
		data := make([]byte, length)
		go func() {
			_, err := d.prov.ReadAt(ctx, data, int64(from))
			errchan <- err // heldout:site
		}()
		select {
		case <-ctx.Done():
			return d.writeResponse(1, handle, []byte{}) // heldout:site
		case err := <-errchan:
			if err != nil {
				return d.writeResponse(1, handle, []byte{})
			}
		}
		return d.writeResponse(0, handle, data)
	}
	go func() {
		d.finish("cmd read", performRead(cmdHandle, cmdFrom, cmdLength))
	}()
	return nil
}

func (d *Dispatch) cmdWrite(ctx context.Context, cmdHandle, cmdFrom uint64, cmdData []byte) error {
	if err := d.begin(); err != nil {
		return err
	}
	performWrite := func(handle, from uint64, data []byte) error {
		errchan := make(chan error) // heldout:site
		go func() {
			_, err := d.prov.WriteAt(data, int64(from))
			errchan <- err // heldout:site
		}()
		select {
		case <-ctx.Done():
			return d.writeResponse(1, handle, []byte{}) // heldout:site
		case err := <-errchan:
			if err != nil {
				return d.writeResponse(1, handle, []byte{})
			}
		}
		return d.writeResponse(0, handle, []byte{})
	}
	go func() {
		d.finish("cmd write", performWrite(cmdHandle, cmdFrom, cmdData))
	}()
	return nil
}

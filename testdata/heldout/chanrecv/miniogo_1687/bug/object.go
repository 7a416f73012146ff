// Package bug is a held-out kernel (issue 14): an object-storage client
// whose GetObject starts a goroutine serving Read requests from a request
// channel until that channel is closed; after an earlier change removed
// its exit on context cancellation, nothing closes the channel, and
// every closed Object leaves the goroutine waiting for ever.
//
// Upstream: minio/minio-go#1687 ("close the reqCh in Close() to avoid leaking goroutines")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: issue #1681 (a leak after upgrading to v7.0.32): goroutines were
// "getting stuck in the for loop. Seems like the reqChannel never closes
// after this change" (#1679, which stopped the goroutine from returning
// on ctx.Done() because concurrent callers sharing a context could then
// send on a closed channel). The goroutine loops receiving requests and
// answering each on resCh; Object.Close only marks the object closed.
// The HTTP range reads and stat calls are reduced to a fetch callback;
// the goroutine's body follows the shape of api-get-object.go.
//
// Fix: Close closes reqCh, which ends the goroutine's loop.
package bug

import (
	"context"
	"errors"
	"io"
	"sync"
)

type getRequest struct {
	Buffer     []byte
	Offset     int64
	isFirstReq bool
}

type getResponse struct {
	Size  int
	Error error
}

// Client is an object-storage client.
type Client struct {
	fetch func(ctx context.Context, bucket, object string, off int64, buf []byte) (int, error)
}

// Object is an open object.
type Object struct {
	mutex      *sync.Mutex
	reqCh      chan<- getRequest
	resCh      <-chan getResponse
	currOffset int64
	isClosed   bool
	isStarted  bool
	prevErr    error
}

// GetObject returns a readable object; data is fetched as it is read.
func (c Client) GetObject(ctx context.Context, bucketName, objectName string) (*Object, error) {
	if bucketName == "" || objectName == "" {
		return nil, errors.New("invalid argument")
	}
	reqCh := make(chan getRequest)
	resCh := make(chan getResponse)

	go func() {
		defer close(resCh)
		for {
			select {
			case req, ok := <-reqCh: // heldout:site
				if !ok {
					return
				}
				n, err := c.fetch(ctx, bucketName, objectName, req.Offset, req.Buffer)
				if err != nil && err != io.EOF {
					resCh <- getResponse{Error: err}
					return
				}
				resCh <- getResponse{Size: n, Error: err}
			}
		}
	}()

	return &Object{mutex: &sync.Mutex{}, reqCh: reqCh, resCh: resCh}, nil
}

func (o *Object) doGetRequest(request getRequest) (getResponse, error) {
	o.reqCh <- request
	response := <-o.resCh
	if response.Error != nil {
		return response, response.Error
	}
	o.isStarted = true
	return response, nil
}

// Read reads the next bytes of the object.
func (o *Object) Read(b []byte) (int, error) {
	o.mutex.Lock()
	defer o.mutex.Unlock()
	if o.prevErr != nil || o.isClosed {
		return 0, o.prevErr
	}
	resp, err := o.doGetRequest(getRequest{Buffer: b, Offset: o.currOffset, isFirstReq: !o.isStarted})
	if err != nil {
		o.prevErr = err
		return resp.Size, err
	}
	o.currOffset += int64(resp.Size)
	return resp.Size, nil
}

// Close closes the object.
func (o *Object) Close() error {
	o.mutex.Lock()
	defer o.mutex.Unlock()
	if o.isClosed {
		return o.prevErr
	}
	o.isClosed = true // heldout:site
	o.prevErr = errors.New("object is already closed")
	return nil
}

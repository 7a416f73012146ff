// Package fixed is the fixed version of chanrecv/miniogo_1687: Close
// closes the request channel, ending the object's goroutine.
package fixed

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
			case req, ok := <-reqCh:
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
	o.isClosed = true
	o.prevErr = errors.New("object is already closed")
	close(o.reqCh)
	return nil
}

// Variant of chanrecv/miniogo_1687 (M3: the fetch loop is a method started
// with go, the request channel is a field). Blocks: Close marks the object
// closed without closing reqCh; fetchLoop's receive waits for ever and
// the goroutine leaks.
package servedmethod

import (
	"errors"
	"sync"
)

type getRequest struct {
	Buffer []byte
	Offset int64
}

type getResponse struct {
	Size  int
	Error error
}

type Object struct {
	mu       sync.Mutex
	fetch    func(off int64, buf []byte) (int, error)
	reqCh    chan getRequest
	resCh    chan getResponse
	isClosed bool
}

func (o *Object) fetchLoop() {
	defer close(o.resCh)
	for {
		// Two rules see this loop (servedclose's started method and
		// stuckrange's comma-ok loop); the report kept is stuckrange's.
		req, ok := <-o.reqCh // want `nothing closes field reqCh of Object: the loop around this receive is left only when the receive finds the channel closed`
		if !ok {
			return
		}
		n, err := o.fetch(req.Offset, req.Buffer)
		o.resCh <- getResponse{Size: n, Error: err}
	}
}

func Open(fetch func(off int64, buf []byte) (int, error)) *Object {
	o := &Object{fetch: fetch, reqCh: make(chan getRequest), resCh: make(chan getResponse)}
	go o.fetchLoop()
	return o
}

func (o *Object) ReadAt(b []byte, off int64) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.isClosed {
		return 0, errors.New("closed")
	}
	o.reqCh <- getRequest{Buffer: b, Offset: off}
	res := <-o.resCh
	return res.Size, res.Error
}

func (o *Object) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.isClosed {
		return nil
	}
	o.isClosed = true
	return nil
}

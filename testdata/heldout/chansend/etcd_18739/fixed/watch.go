// Package fixed is the fixed version of chansend/etcd_18739: recvLoop's
// sends on ctrlStream also select on closec.
package fixed

import (
	"context"
	"sync"
)

const ctrlStreamBufLen = 16

// WatchRequest is a create or cancel request from the client.
type WatchRequest struct {
	Create  bool
	Key     string
	WatchID int64
}

// WatchResponse is sent to the client.
type WatchResponse struct {
	WatchID  int64
	Created  bool
	Canceled bool
	Events   []string
}

// WatchServer is the gRPC stream.
type WatchServer interface {
	Recv() (*WatchRequest, error)
	Send(*WatchResponse) error
	Context() context.Context
}

// WatchStream is the storage side of the watch.
type WatchStream interface {
	Watch(key string) int64
	Cancel(id int64) error
	Chan() <-chan WatchResponse
	Close()
}

type serverWatchStream struct {
	gRPCStream  WatchServer
	watchStream WatchStream
	ctrlStream  chan *WatchResponse
	closec      chan struct{}
	wg          sync.WaitGroup
}

func (sws *serverWatchStream) recvLoop() error {
	for {
		req, err := sws.gRPCStream.Recv()
		if err != nil {
			return err
		}
		if req.Create {
			id := sws.watchStream.Watch(req.Key)
			select {
			case sws.ctrlStream <- &WatchResponse{WatchID: id, Created: true}:
			case <-sws.closec:
				return nil
			}
			continue
		}
		if err := sws.watchStream.Cancel(req.WatchID); err == nil {
			select {
			case sws.ctrlStream <- &WatchResponse{WatchID: req.WatchID, Canceled: true}:
			case <-sws.closec:
				return nil
			}
		}
	}
}

func (sws *serverWatchStream) sendLoop() {
	for {
		select {
		case wresp, ok := <-sws.watchStream.Chan():
			if !ok {
				return
			}
			if err := sws.gRPCStream.Send(&wresp); err != nil {
				return
			}
		case c, ok := <-sws.ctrlStream:
			if !ok {
				return
			}
			if err := sws.gRPCStream.Send(c); err != nil {
				return
			}
		case <-sws.closec:
			return
		}
	}
}

func (sws *serverWatchStream) close() {
	sws.watchStream.Close()
	close(sws.closec)
	sws.wg.Wait()
}

// Watch serves one watch stream.
func Watch(stream WatchServer, ws WatchStream) (err error) {
	sws := serverWatchStream{
		gRPCStream:  stream,
		watchStream: ws,
		ctrlStream:  make(chan *WatchResponse, ctrlStreamBufLen),
		closec:      make(chan struct{}),
	}
	sws.wg.Add(1)
	go func() {
		sws.sendLoop()
		sws.wg.Done()
	}()

	errc := make(chan error, 1)
	go func() {
		if rerr := sws.recvLoop(); rerr != nil {
			errc <- rerr
		}
	}()

	select {
	case err = <-errc:
		close(sws.ctrlStream)
	case <-stream.Context().Done():
		err = stream.Context().Err()
	}
	sws.close()
	return err
}

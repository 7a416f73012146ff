// Package bug is a held-out kernel (issue 14): an etcd watch stream whose
// receive loop queues control responses on a small buffered channel that
// only the send loop drains, and the send loop exits when the stream is
// closed, so once the buffer fills the receive loop blocks for ever.
//
// Upstream: etcd-io/etcd#18739 ("etcdserver: terminate recvLoop on serverWatchStream.close()")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Watch starts sendLoop and recvLoop. recvLoop turns each create or
// cancel request into a response and sends it with sws.ctrlStream <- wr;
// ctrlStream is buffered (16) and read only by sendLoop, which returns
// when closec is closed. When the stream ends through its context, Watch
// calls close(), which closes closec and waits for sendLoop only; recvLoop
// keeps reading requests already received and blocks on ctrlStream once
// the buffer is full. The reporter saw 43,832 goroutines parked on that
// send (#18704). The requests, watch IDs and the mvcc watch stream are our
// reduction of watch.go.
//
// Fix: each send on ctrlStream in recvLoop selects on closec and returns
// when it is closed.
package bug

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
			sws.ctrlStream <- &WatchResponse{WatchID: id, Created: true} // heldout:site
			continue
		}
		if err := sws.watchStream.Cancel(req.WatchID); err == nil {
			sws.ctrlStream <- &WatchResponse{WatchID: req.WatchID, Canceled: true} // heldout:site
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
			return // heldout:site
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

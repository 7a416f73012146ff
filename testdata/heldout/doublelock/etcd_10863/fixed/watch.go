// Package fixed is the fixed version of doublelock/etcd_10863: the branch
// of RequestProgress that finds the watcher closed unlocks w.mu before it
// returns its error.
package fixed

import (
	"context"
	"errors"
	"sync"
)

type progressRequest struct{}

// watchRequest is a reduced watch creation request.
type watchRequest struct {
	key  string
	retc chan chan int64
}

// watchGrpcStream is the client side of one gRPC watch stream, shared by
// every watch made with the same context key.
type watchGrpcStream struct {
	owner  *watcher
	ctx    context.Context
	cancel context.CancelFunc
	ctxKey string

	reqc  chan interface{}
	donec chan struct{}
	errc  chan error

	closeErr error
}

// watcher multiplexes watches over one stream per context key.
type watcher struct {
	mu      sync.Mutex
	streams map[string]*watchGrpcStream
}

func newWatcher() *watcher {
	return &watcher{streams: make(map[string]*watchGrpcStream)}
}

func streamKeyFromCtx(ctx context.Context) string {
	if v, ok := ctx.Value(ctxKeyName{}).(string); ok {
		return v
	}
	return ""
}

type ctxKeyName struct{}

func (w *watcher) newWatcherGrpcStream(inctx context.Context) *watchGrpcStream {
	ctx, cancel := context.WithCancel(context.Background())
	wgs := &watchGrpcStream{
		owner:  w,
		ctx:    ctx,
		cancel: cancel,
		ctxKey: streamKeyFromCtx(inctx),
		reqc:   make(chan interface{}),
		donec:  make(chan struct{}),
		errc:   make(chan error, 1),
	}
	go wgs.run()
	return wgs
}

// run serves the stream's requests until the stream is cancelled.
func (wgs *watchGrpcStream) run() {
	var rev int64
	defer wgs.owner.closeStream(wgs)
	for {
		select {
		case req := <-wgs.reqc:
			switch r := req.(type) {
			case *watchRequest:
				ch := make(chan int64, 1)
				ch <- rev
				r.retc <- ch
			case *progressRequest:
				rev++
			}
		case <-wgs.ctx.Done():
			wgs.closeErr = context.Canceled
			return
		}
	}
}

// Watch starts a watch on key and returns its revision channel.
func (w *watcher) Watch(ctx context.Context, key string) <-chan int64 {
	wr := &watchRequest{key: key, retc: make(chan chan int64, 1)}

	w.mu.Lock()
	if w.streams == nil {
		w.mu.Unlock()
		closed := make(chan int64)
		close(closed)
		return closed
	}
	ctxKey := streamKeyFromCtx(ctx)
	wgs := w.streams[ctxKey]
	if wgs == nil {
		wgs = w.newWatcherGrpcStream(ctx)
		w.streams[ctxKey] = wgs
	}
	donec := wgs.donec
	reqc := wgs.reqc
	w.mu.Unlock()

	select {
	case reqc <- wr:
	case <-ctx.Done():
		return nil
	case <-donec:
		return w.Watch(ctx, key)
	}
	select {
	case ch := <-wr.retc:
		return ch
	case <-ctx.Done():
	case <-donec:
	}
	return nil
}

// Close cancels every stream and waits for each to finish.
func (w *watcher) Close() (err error) {
	w.mu.Lock()
	streams := w.streams
	w.streams = nil
	w.mu.Unlock()
	for _, wgs := range streams {
		if werr := wgs.close(); werr != nil {
			err = werr
		}
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// RequestProgress asks for a progress notification on the caller's stream.
func (w *watcher) RequestProgress(ctx context.Context) (err error) {
	ctxKey := streamKeyFromCtx(ctx)

	w.mu.Lock()
	if w.streams == nil {
		w.mu.Unlock()
		return errors.New("no stream found for context")
	}
	wgs := w.streams[ctxKey]
	if wgs == nil {
		wgs = w.newWatcherGrpcStream(ctx)
		w.streams[ctxKey] = wgs
	}
	donec := wgs.donec
	reqc := wgs.reqc
	w.mu.Unlock()

	pr := &progressRequest{}

	select {
	case reqc <- pr:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-donec:
		if wgs.closeErr != nil {
			return wgs.closeErr
		}
		return w.RequestProgress(ctx)
	}
}

func (wgs *watchGrpcStream) close() (err error) {
	wgs.cancel()
	<-wgs.donec
	select {
	case err = <-wgs.errc:
	default:
	}
	if err == nil {
		err = wgs.ctx.Err()
	}
	return err
}

// closeStream unregisters a finished stream.
func (w *watcher) closeStream(wgs *watchGrpcStream) {
	w.mu.Lock()
	close(wgs.donec)
	wgs.cancel()
	if w.streams != nil {
		delete(w.streams, wgs.ctxKey)
	}
	w.mu.Unlock()
}

// progressAfterClose is the reported sequence.
func progressAfterClose() {
	w := newWatcher()
	ctx := context.Background()
	w.Watch(ctx, "foo")
	w.Close()
	w.RequestProgress(ctx)
	w.RequestProgress(ctx)
}

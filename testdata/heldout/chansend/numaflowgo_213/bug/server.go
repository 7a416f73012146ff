// Package bug is a held-out kernel (issue 14): a failing RPC handler sends
// a shutdown signal on an unbuffered channel that the shutdown watcher
// reads at most once, while the watcher's GracefulStop waits for that very
// handler.
//
// Upstream: numaproj/numaflow-go#213 ("fix: shutdown was hanging due to a blocking write on channel")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the map server starts a watcher goroutine that selects on the
// service's shutdownCh and on the signal context, then stops the gRPC
// server gracefully. An RPC handler whose user function fails sends on
// shutdownCh, unbuffered, before returning its error. If the context was
// cancelled first, or another failing RPC already delivered the one signal
// the watcher reads, the send blocks for ever; GracefulStop waits for all
// in-flight RPCs, so it waits for that handler, and shutdown hangs (the PR:
// "an unbuffered send from any RPC handler can block, causing deadlock").
// The gRPC server is reduced to a request channel, an in-flight WaitGroup
// and GracefulStop; the Service and the watcher follow the PR's snippets.
//
// Fix: the send is guarded by a sync.Once and made non-blocking (a select
// with a default), and the channel gets a buffer of one, so at most one
// shutdown signal is sent and no handler can block on it.
package bug

import (
	"context"
	"errors"
	"log"
	"sync"
)

// Request is one map request with its reply slot.
type Request struct {
	Keys  []string
	Value []byte
	Reply chan Result // buffered, one slot
}

// NewRequest makes a request whose reply slot never blocks the handler.
func NewRequest(keys []string, value []byte) *Request {
	return &Request{Keys: keys, Value: value, Reply: make(chan Result, 1)}
}

// Result is a map response or error.
type Result struct {
	Values [][]byte
	Err    error
}

// Mapper is the user's map function.
type Mapper interface {
	Map(ctx context.Context, keys []string, value []byte) ([][]byte, error)
}

// Service implements the map RPC.
type Service struct {
	Mapper     Mapper
	shutdownCh chan<- struct{}
}

// MapFn applies the user's function; a failure asks the server to stop.
func (fs *Service) MapFn(ctx context.Context, req *Request) ([][]byte, error) {
	out, err := fs.invoke(ctx, req)
	if err != nil {
		log.Printf("map handler failed, asking the server to stop: %v", err)
		fs.shutdownCh <- struct{}{} // heldout:site
		return nil, err
	}
	return out, nil
}

func (fs *Service) invoke(ctx context.Context, req *Request) (out [][]byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic inside map handler")
		}
	}()
	return fs.Mapper.Map(ctx, req.Keys, req.Value)
}

type grpcServer struct {
	svc      *Service
	inflight sync.WaitGroup
	stop     chan struct{}
	once     sync.Once
}

// Serve dispatches each request to its own handler goroutine.
func (s *grpcServer) Serve(reqs <-chan *Request) error {
	for {
		select {
		case <-s.stop:
			return nil
		case r, ok := <-reqs:
			if !ok {
				return nil
			}
			s.inflight.Add(1)
			go func() {
				defer s.inflight.Done()
				vals, err := s.svc.MapFn(context.Background(), r)
				r.Reply <- Result{Values: vals, Err: err}
			}()
		}
	}
}

// GracefulStop stops accepting requests and waits for in-flight ones.
func (s *grpcServer) GracefulStop() {
	s.once.Do(func() { close(s.stop) })
	s.inflight.Wait() // heldout:site
}

// Start serves map requests until ctx ends or a handler fails.
func Start(ctx context.Context, m Mapper, reqs <-chan *Request) error {
	shutdownCh := make(chan struct{})
	svc := &Service{Mapper: m, shutdownCh: shutdownCh}
	srv := &grpcServer{svc: svc, stop: make(chan struct{})}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-shutdownCh:
			log.Printf("received shutdown signal")
		case <-ctx.Done():
			log.Printf("received signal, shutting down")
		}
		srv.GracefulStop()
	}()

	err := srv.Serve(reqs)
	wg.Wait()
	return err
}

// Package fixed is the fixed version of chansend/numaflowgo_213: the
// shutdown signal is sent at most once, without blocking, into a channel
// with one slot.
package fixed

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
	once       sync.Once
}

// MapFn applies the user's function; a failure asks the server to stop.
func (fs *Service) MapFn(ctx context.Context, req *Request) ([][]byte, error) {
	out, err := fs.invoke(ctx, req)
	if err != nil {
		fs.once.Do(func() {
			log.Printf("map handler failed, asking the server to stop: %v", err)
			select {
			case fs.shutdownCh <- struct{}{}:
				// the watcher will see it
			default:
				log.Println("shutdown already requested, dropping this request")
			}
		})
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
	s.inflight.Wait()
}

// Start serves map requests until ctx ends or a handler fails.
func Start(ctx context.Context, m Mapper, reqs <-chan *Request) error {
	shutdownCh := make(chan struct{}, 1)
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

// Package fixed is the fixed version of chansend/containerd_1907: serverC
// has room for the server whether or not the handler still runs.
package fixed

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Server is the containerd server.
type Server struct{ addr string }

// Stop stops the server.
func (s *Server) Stop() {}

func handleSignals(ctx context.Context, signals chan os.Signal, serverC chan *Server) chan struct{} {
	done := make(chan struct{}, 1)
	go func() {
		var server *Server
		for {
			select {
			case s := <-serverC:
				server = s
			case s := <-signals:
				switch s {
				case syscall.SIGUSR1:
					continue
				default:
					if server == nil {
						close(done)
						return
					}
					server.Stop()
					close(done)
					return
				}
			}
		}
	}()
	return done
}

func newServer(ctx context.Context, addr string) (*Server, error) {
	return &Server{addr: addr}, nil
}

// App is containerd's main action.
func App(ctx context.Context, addr string) error {
	signals := make(chan os.Signal, 2048)
	serverC := make(chan *Server, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	done := handleSignals(ctx, signals, serverC)

	server, err := newServer(ctx, addr)
	if err != nil {
		return err
	}
	serverC <- server
	<-done
	return nil
}

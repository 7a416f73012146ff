// Package bug is a held-out kernel (issue 14): a send whose only receiver
// can exit before it receives.
//
// Upstream: containerd/containerd#1907 ("Fix a containerd deadlock.")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the daemon's main hands the server to the signal handler through the
// unbuffered serverC; when containerd is terminated before it has finished
// bootstrapping, handleSignals returns on the signal without receiving, and
// `serverC <- server` blocks forever.
//
// Fix: serverC has a buffer of one.
package bug

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
					if server == nil { // heldout:site
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
	serverC := make(chan *Server)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	done := handleSignals(ctx, signals, serverC)

	server, err := newServer(ctx, addr)
	if err != nil {
		return err
	}
	serverC <- server // heldout:site
	<-done
	return nil
}

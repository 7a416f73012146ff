// Package bug is a held-out kernel (issue 14): a command that starts each
// service on a goroutine counted in a WaitGroup, where the goroutine
// returns early, without Done, for a service that is already running or
// fails to build, so the command waits for ever (the runtime's "all
// goroutines are asleep" panic in the CLI).
//
// Upstream: monzo/orchestra#5 ("Fix deadlock panics")
// Round: 6
//
// Bug: StartAction adds one to wg per service and starts a goroutine that
// calls wg.Done() as its last statement; the early returns for a running
// service and for a failed build skip it, so wg.Wait never returns. The PR
// says only "make sure to call wg.Done() even when returning early"; the
// service type and the command's body are our reduction.
//
// Fix: the goroutine defers wg.Done() first, so every return counts.
package bug

import (
	"fmt"
	"sync"
)

// Service is one microservice managed by orchestra.
type Service struct {
	Name    string
	Running bool
	Build   func() error
	Start   func() error
}

// StartAction builds and starts every service that is not running.
func StartAction(services []*Service) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(services))
	for _, service := range services {
		wg.Add(1)
		go func(s *Service) {
			if s.Running {
				fmt.Printf("%s is already running\n", s.Name)
				return // heldout:site
			}
			if err := s.Build(); err != nil {
				errs <- fmt.Errorf("%s: build: %w", s.Name, err)
				return // heldout:site
			}
			if err := s.Start(); err != nil {
				errs <- fmt.Errorf("%s: start: %w", s.Name, err)
			}
			wg.Done()
		}(service)
	}
	wg.Wait() // heldout:site
	close(errs)
	for err := range errs {
		return err
	}
	return nil
}

// Package fixed is the fixed version of waitgroup/orchestra_5: each
// goroutine defers wg.Done().
package fixed

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
			defer wg.Done()
			if s.Running {
				fmt.Printf("%s is already running\n", s.Name)
				return
			}
			if err := s.Build(); err != nil {
				errs <- fmt.Errorf("%s: build: %w", s.Name, err)
				return
			}
			if err := s.Start(); err != nil {
				errs <- fmt.Errorf("%s: start: %w", s.Name, err)
			}
		}(service)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	return nil
}

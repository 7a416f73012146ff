// Package fixed is the fixed version of chansend/passage_25: cerr has
// room for every check's failure.
package fixed

import (
	"context"
	"fmt"
	"sync"
)

// Check is a single named health check.
type Check func(ctx context.Context) error

type healthcheckManager struct {
	mu     sync.Mutex
	checks map[string]Check
}

func (m *healthcheckManager) AddCheck(name string, check Check) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.checks == nil {
		m.checks = make(map[string]Check)
	}
	m.checks[name] = check
}

// CheckHealth runs all checks concurrently and returns the first error.
func (m *healthcheckManager) CheckHealth(ctx context.Context) error {
	m.mu.Lock()
	checks := make(map[string]Check, len(m.checks))
	for name, c := range m.checks {
		checks[name] = c
	}
	m.mu.Unlock()

	cerr := make(chan error, len(checks))
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Add(1)
		go func(name string, check Check) {
			defer wg.Done()
			if err := check(ctx); err != nil {
				cerr <- fmt.Errorf("%s: %w", name, err)
			}
		}(name, check)
	}

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()

	select {
	case err := <-cerr:
		return err
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("health check: %w", ctx.Err())
	}
}

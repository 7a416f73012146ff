// Package bug is a held-out kernel (issue 14): health checks that report
// failures on an unbuffered channel of which the caller reads only the
// first value.
//
// Upstream: hightouchio/passage#25 ("Goroutine leak in `CheckHealth()`")
// Round: 3
//
// Bug: CheckHealth runs every registered check in its own goroutine; a
// failing check sends its error on cerr. The caller returns on the first
// error it receives (or on completion or context expiry), so when two or
// more checks fail, every failing goroutine after the first blocks on its
// send forever, and the goroutine waiting on the WaitGroup to close done
// blocks with them. The issue names the send and the early return; the
// check registry and the done goroutine are our reduction of
// healthcheck.go.
//
// Fix: the maintainer says the issue was addressed but the thread does
// not show how; in our fixed version cerr is buffered for every check, so
// each failure can be delivered whether or not anybody reads it.
package bug

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

	cerr := make(chan error)
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Add(1)
		go func(name string, check Check) {
			defer wg.Done()
			if err := check(ctx); err != nil {
				cerr <- fmt.Errorf("%s: %w", name, err) // heldout:site
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
		return err // heldout:site
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("health check: %w", ctx.Err())
	}
}

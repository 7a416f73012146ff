// Package fixed is the fixed version of chansend/healthgo_224: the result
// channel has room for the one late result.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Status is a health status.
type Status string

// The statuses.
const (
	StatusOK                 Status = "OK"
	StatusPartiallyAvailable Status = "Partially Available"
	StatusUnavailable        Status = "Unavailable"
	StatusTimeout            Status = "Timeout during health check"
)

// CheckFunc runs one check.
type CheckFunc func(context.Context) error

// Config is one registered check.
type Config struct {
	Name      string
	Timeout   time.Duration
	SkipOnErr bool
	Check     CheckFunc
}

// Check is the summary Measure returns.
type Check struct {
	Status    Status
	Timestamp time.Time
	Failures  map[string]string
}

// Health holds the registered checks.
type Health struct {
	mu            sync.Mutex
	checks        map[string]Config
	maxConcurrent int
}

// New returns an empty container.
func New() *Health {
	return &Health{checks: make(map[string]Config), maxConcurrent: runtime.NumCPU()}
}

// Register adds a check.
func (h *Health) Register(c Config) error {
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.Name == "" {
		return errors.New("health check must have a name to be registered")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.checks[c.Name]; ok {
		return fmt.Errorf("health check %q is already registered", c.Name)
	}
	h.checks[c.Name] = c
	return nil
}

// Measure runs every check and sums up the result.
func (h *Health) Measure(ctx context.Context) Check {
	h.mu.Lock()
	defer h.mu.Unlock()

	status := StatusOK
	failures := make(map[string]string)

	limiterCh := make(chan bool, h.maxConcurrent)
	defer close(limiterCh)

	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for _, c := range h.checks {
		limiterCh <- true
		wg.Add(1)

		go func(c Config) {
			defer func() {
				<-limiterCh
				wg.Done()
			}()

			resCh := make(chan error, 1)

			go func() {
				resCh <- c.Check(ctx)
				defer close(resCh)
			}()

			timeout := time.NewTimer(c.Timeout)

			select {
			case <-timeout.C:
				mu.Lock()
				defer mu.Unlock()
				failures[c.Name] = string(StatusTimeout)
				status = getAvailability(status, c.SkipOnErr)
			case res := <-resCh:
				if !timeout.Stop() {
					<-timeout.C
				}
				mu.Lock()
				defer mu.Unlock()
				if res != nil {
					failures[c.Name] = res.Error()
					status = getAvailability(status, c.SkipOnErr)
				}
			}
		}(c)
	}

	wg.Wait()
	return Check{Status: status, Timestamp: time.Now(), Failures: failures}
}

func getAvailability(s Status, skipOnErr bool) Status {
	if skipOnErr && s != StatusUnavailable {
		return StatusPartiallyAvailable
	}
	return StatusUnavailable
}

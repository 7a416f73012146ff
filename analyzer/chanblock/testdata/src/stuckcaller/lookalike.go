package stuckcaller

import (
	"context"
	"testing"
)

// worker's loop always says it is done: Start then Wait is fine (silent).
type worker struct {
	done chan struct{}
}

func newWorker() *worker { return &worker{done: make(chan struct{})} }

// Start starts the loop.
func (w *worker) Start() {
	go func() {
		defer close(w.done)
		if err := join(); err != nil {
			return
		}
	}()
}

// Wait waits for the loop.
func (w *worker) Wait() { <-w.done }

func runWorker(w *worker) {
	w.Start()
	w.Wait()
}

// TestClientInit gives up on a failed Init by failing the test (silent: a
// leak after a failed test is not worth a report).
func TestClientInit(t *testing.T) {
	ctx := context.Background()
	c := newClient(nil)
	c.Start(ctx)
	if err := c.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// runOpened opens before it defers the wait for ready (silent).
func runOpened(s *store) error {
	if err := s.Open(); err != nil {
		return err
	}
	defer s.Shutdown()
	return nil
}

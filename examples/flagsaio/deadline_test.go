package main

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// deadline bounds every wait of the tests.
const deadline = 30 * time.Second

// within returns f's result, failing the test if f runs past the
// deadline.
func within[T any](t *testing.T, f func() T) T {
	t.Helper()
	c := make(chan T, 1)
	go func() { c <- f() }()
	select {
	case v := <-c:
		return v
	case <-time.After(deadline):
		t.Fatalf("still running after %v", deadline)
		panic("unreachable")
	}
}

// command is exec.Command killed at the deadline.
func command(t *testing.T, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, name, args...)
}

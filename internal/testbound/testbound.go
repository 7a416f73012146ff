// Package testbound bounds the waits of tests, so that a test that would
// hang fails instead: the examples' tests share it.
package testbound

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// Deadline bounds every wait of a test.
const Deadline = 30 * time.Second

// Within returns f's result, failing the test if f runs past Deadline.
func Within[T any](t testing.TB, f func() T) T {
	t.Helper()
	c := make(chan T, 1)
	go func() { c <- f() }()
	select {
	case v := <-c:
		return v
	case <-time.After(Deadline):
		t.Fatalf("still running after %v", Deadline)
		panic("unreachable")
	}
}

// Command is exec.Command, killed at Deadline.
func Command(t testing.TB, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), Deadline)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, name, args...)
}

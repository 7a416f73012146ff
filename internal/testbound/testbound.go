// Package testbound bounds the waits of tests, so that a test that would
// hang fails instead, and runs the CPython references the examples' tests
// compare with.
package testbound

import (
	"bytes"
	"context"
	"os"
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

// Python runs python3 with script and args (killed at Deadline) and
// returns what it printed; ok is false, and the test told why, when
// python3 is not installed. A failing script fails the test.
func Python(t testing.TB, script string, args ...string) (out []byte, ok bool) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found: not compared with CPython run live")
		return nil, false
	}
	out, err = Command(t, py, append([]string{script}, args...)...).Output()
	if err != nil {
		t.Fatalf("python3 %s: %v", script, err)
	}
	return out, true
}

// MatchesFile fails the test unless got equals the contents of file.
func MatchesFile(t testing.TB, got []byte, file string) {
	t.Helper()
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}

// Until polls cond every few milliseconds until it holds, failing the test
// (naming what it waited for) if it does not within Deadline.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(Deadline); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waiting for %s: not after %v", what, Deadline)
		}
	}
}

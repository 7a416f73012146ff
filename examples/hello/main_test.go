package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestOutput runs the program on a virtual clock: the second passes at
// once.
func TestOutput(t *testing.T) {
	var got bytes.Buffer
	begin := time.Now()
	if err := testbound.Within(t, func() error { return run(&got, time.Second, aio.WithVirtualClock(time.Unix(0, 0))) }); err != nil {
		t.Fatal(err)
	}
	if time.Since(begin) > time.Second {
		t.Errorf("took %v of real time", time.Since(begin))
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
}

// TestRealClock runs it for real, with a short delay: the two sleeps
// overlap.
func TestRealClock(t *testing.T) {
	var got bytes.Buffer
	begin := time.Now()
	if err := testbound.Within(t, func() error { return run(&got, 50*time.Millisecond) }); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d < 50*time.Millisecond || d > 10*time.Second {
		t.Errorf("took %v; want the two 50ms sleeps at once", d)
	}
}

// TestLikeCPython runs the seed (with a 0.1s sleep) and compares the
// lines, the task names standing for CPython's thread.
func TestLikeCPython(t *testing.T) {
	out, ok := testbound.Python(t, "testdata/hello.py", "0.1")
	if !ok {
		return
	}
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got, 100*time.Millisecond, aio.WithVirtualClock(time.Unix(0, 0))) }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

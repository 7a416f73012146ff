package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// output matches the program's output: the thread, the frames in order,
// the clearing and the answer. How many frames a thread gets in is up to
// the real clock, so that is the one part not compared exactly.
var output = regexp.MustCompile(`^spinner object: <Thread\(Thread-\d+ \(spin\), initial\)>\n((?:[|/\\-] thinking!\x08{11})+) {11}\x08{11}Answer: 42\n$`)

// frames checks that the frames turn the bar in the seed's order.
func frames(t *testing.T, got []byte) int {
	t.Helper()
	m := output.FindSubmatch(got)
	if m == nil {
		t.Fatalf("unexpected output %q", got)
	}
	n := bytes.Count(m[1], []byte("thinking!"))
	var want strings.Builder
	for i := range n {
		want.WriteString(string(`|/-\`[i%4]) + " thinking!" + strings.Repeat("\x08", 11))
	}
	if string(m[1]) != want.String() {
		t.Fatalf("frames out of order: %q", m[1])
	}
	return n
}

func TestOutput(t *testing.T) {
	var got bytes.Buffer
	testbound.Within(t, func() struct{} { run(&got, 10*time.Millisecond, 200*time.Millisecond); return struct{}{} })
	if n := frames(t, got.Bytes()); n < 1 || n > 21 {
		t.Fatalf("%d frames in 200ms at one per 10ms", n)
	}
}

// TestLikeCPython runs the seed under CPython (3 seconds of real time)
// and checks its output has the same form.
func TestLikeCPython(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	out, ok := testbound.Python(t, "testdata/spinner_thread.py")
	if !ok {
		return
	}
	if n := frames(t, out); n < 25 || n > 31 {
		t.Fatalf("CPython spun %d frames in 3s", n)
	}
}

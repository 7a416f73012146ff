package main

import (
	"bytes"
	"os"
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

// wantRE is testdata/want.re, the expectation asyncgo demo checks the
// program's output against: the seed's lines exactly, then 8 to 31 frames
// in the seed's order (30 in 3 seconds at one per 100ms, give or take the
// real clock, which decides it for CPython too: on a loaded machine every
// sleep overruns, and both drew 18 at a load of 20 on 2 cores).
func wantRE(t *testing.T) *regexp.Regexp {
	t.Helper()
	src, err := os.ReadFile("testdata/want.re")
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(strings.TrimSuffix(string(src), "\n"))
}

// spinOutput is the program's output with n frames.
func spinOutput(thread string, n int, answer string) string {
	var b strings.Builder
	b.WriteString("spinner object: <Thread(" + thread + " (spin), initial)>\n")
	for i := range n {
		b.WriteString(string(`|/-\`[i%4]) + " thinking!" + strings.Repeat("\x08", 11))
	}
	b.WriteString(strings.Repeat(" ", 11) + strings.Repeat("\x08", 11) + "Answer: " + answer + "\n")
	return b.String()
}

// TestWantRE checks that testdata/want.re tells a right output from wrong
// ones.
func TestWantRE(t *testing.T) {
	re := wantRE(t)
	for n := 8; n <= 31; n++ {
		if out := spinOutput("Thread-1", n, "42"); !re.MatchString(out) {
			t.Errorf("want.re rejects %d frames: %q", n, out)
		}
	}
	swapped := strings.Replace(spinOutput("Thread-1", 30, "42"), "/ thinking!", "- thinking!", 1)
	for name, out := range map[string]string{
		"7 frames":        spinOutput("Thread-1", 7, "42"),
		"32 frames":       spinOutput("Thread-1", 32, "42"),
		"frames in order": swapped,
		"another answer":  spinOutput("Thread-1", 30, "41"),
		"another thread":  spinOutput("Thread-2", 30, "42"),
		"trailing output": spinOutput("Thread-1", 30, "42") + "\n",
	} {
		if re.MatchString(out) {
			t.Errorf("want.re accepts an output with wrong %s: %q", name, out)
		}
	}
}

// TestLikeCPython runs the program at the seed's timing (100ms frames, 3s
// of slow work) beside the seed under CPython: both outputs match
// testdata/want.re, and their frame counts are within two of each other.
func TestLikeCPython(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	threadSeq = 0 // number the thread as a fresh process does: Thread-1, like CPython's
	var got bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(&got, 100*time.Millisecond, 3*time.Second)
	}()
	out, ok := testbound.Python(t, "testdata/spinner_thread.py")
	<-done
	re := wantRE(t)
	if !re.Match(got.Bytes()) {
		t.Errorf("the program's output does not match testdata/want.re: %q", got.Bytes())
	}
	if !ok {
		return
	}
	if !re.Match(out) {
		t.Fatalf("CPython's output does not match testdata/want.re: %q", out)
	}
	if n, m := frames(t, out), frames(t, got.Bytes()); n < m-2 || n > m+2 {
		t.Errorf("CPython spun %d frames, Go %d", n, m)
	}
}

package main

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite testdata/want.txt")

// TestOutput compares the output on a virtual clock with the expected
// one: the seed's program, as CPython prints it, with the task described
// in Go's terms and exactly 30 frames.
func TestOutput(t *testing.T) {
	var got bytes.Buffer
	start := time.Now()
	if err := testbound.Within(t, func() error { return run(&got, aio.WithVirtualClock(time.Unix(0, 0))) }); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("the virtual clock took %v", time.Since(start))
	}
	if *update {
		os.WriteFile("testdata/want.txt", got.Bytes(), 0o644)
	}
	want, err := os.ReadFile("testdata/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("output differs from testdata/want.txt\ngot:\n%q\nwant:\n%q", got.Bytes(), want)
	}
}

// frames matches the spinner's output: the frames, then the clearing.
var frames = regexp.MustCompile(`^((?:[|/\\-] thinking!\x08{11})+) {11}\x08{11}Answer: 42\n$`)

// TestLikeCPython runs the seed under CPython (3 seconds of real time)
// and compares: the same lines, and the same frames give or take one, as
// the real clock decides which of the last two timers fires first. On a
// loaded machine each of CPython's real sleeps overruns a little, so it may
// draw a few frames fewer (never more): up to five fewer are accepted.
func TestLikeCPython(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	out, ok := testbound.Python(t, "testdata/spinner_asyncio.py")
	if !ok {
		return
	}
	want, _ := os.ReadFile("testdata/want.txt")
	pyFirst, pyRest, _ := bytes.Cut(out, []byte("\n"))
	goFirst, goRest, _ := bytes.Cut(want, []byte("\n"))
	if !regexp.MustCompile(`^spinner object: <Task pending name='Task-2' coro=<spin\(\) running at .*>>$`).Match(pyFirst) ||
		!bytes.HasPrefix(goFirst, []byte("spinner object: <Task pending name='Task-2' coro=<spin()>>")) {
		t.Errorf("first lines differ:\n%s\n%s", pyFirst, goFirst)
	}
	pm, gm := frames.FindSubmatch(pyRest), frames.FindSubmatch(goRest)
	if pm == nil || gm == nil {
		t.Fatalf("unexpected output:\npython3: %q\ngo: %q", pyRest, goRest)
	}
	n, m := bytes.Count(pm[1], []byte("thinking!")), bytes.Count(gm[1], []byte("thinking!"))
	if n < m-5 || n > m+1 || !bytes.HasPrefix(gm[1], pm[1][:min(len(pm[1]), len(gm[1]))]) {
		t.Errorf("CPython spun %d frames, Go %d", n, m)
	}
}

package chanblock_test

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestStuckObjWitness checks that the checker itself, not only the
// pattern rule that reports first, finds Batch's leak: run with
// ASYNCGO_CENSUS=all (the checker runs where a pattern rule reported too,
// and prints its census), it keeps a witness at Stop's Wait, and none in
// the fixed look-alikes. The census mode is read when the process starts,
// so the run is a child of this test binary.
func TestStuckObjWitness(t *testing.T) {
	if os.Getenv("ASYNCGO_CENSUS") == "all" {
		runAlone(t, "stuckobj") // the child: its diagnostics are not judged
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStuckObjWitness$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ASYNCGO_CENSUS=all")
	done := make(chan []byte, 1)
	go func() {
		out, _ := cmd.CombinedOutput()
		done <- out
	}()
	var out []byte
	select {
	case out = <-done:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the census run did not finish in 2 minutes")
	}
	kept := regexp.MustCompile(`stuckobj\.go:\d+:\d+ field: witness kept \(a group a client left raised\)`)
	if !kept.Match(out) {
		t.Fatalf("no witness kept for a group a client left raised; census:\n%s", out)
	}
	witnesses := regexp.MustCompile(`(?m)^CENSUS \S*stuckobj\.go:(\d+):\d+ checker witness$`).FindAllSubmatch(out, -1)
	if len(witnesses) == 0 {
		t.Fatalf("no checker witness in stuckobj; census:\n%s", out)
	}
	for _, w := range witnesses {
		if string(w[1]) != stopWaitLine(t) {
			t.Errorf("checker witness at stuckobj.go:%s, want only Batch.Stop's Wait (line %s)", w[1], stopWaitLine(t))
		}
	}
}

// stopWaitLine returns the line of Batch.Stop's b.wg.Wait in the testdata.
func stopWaitLine(t *testing.T) string {
	src, err := os.ReadFile("testdata/src/stuckobj/stuckobj.go")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(src, []byte("func (b *Batch) Stop() {\n\tclose(b.stop)\n\tb.wg.Wait()"))
	if i < 0 {
		t.Fatal("Batch.Stop not found in stuckobj.go")
	}
	return strconv.Itoa(bytes.Count(src[:i], []byte("\n")) + 3)
}

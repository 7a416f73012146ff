package fresh

import "testing"

func TestParse(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkX-2   \t       1\t1352308535 ns/op\t      3254 bytes/task\t127597504 B/op\nPASS\n")
	if v, err := Parse(out, "bytes/task"); err != nil || v != 3254 {
		t.Errorf("bytes/task = %v, %v; want 3254", v, err)
	}
	if v, err := Parse(out, "ns/op"); err != nil || v != 1352308535 {
		t.Errorf("ns/op = %v, %v; want 1352308535", v, err)
	}
	if _, err := Parse(out, "bytes/gen"); err == nil {
		t.Error("bytes/gen found where there is none")
	}
	if _, err := Parse([]byte("    x_test.go:3: 12 bytes/task\n"), "bytes/task"); err == nil {
		t.Error("a figure found on a log line")
	}
}

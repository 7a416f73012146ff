package main

import (
	"bytes"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

// TestOutputMatchesPython checks the port against the recorded output, and
// against CPython's multiprocessing.Pool.imap when python3 is there.
func TestOutputMatchesPython(t *testing.T) {
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got) }); err != nil {
		t.Fatal(err)
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
	if out, ok := testbound.Python(t, "testdata/parallelize.py"); ok && !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

package main

import (
	"bytes"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

// TestOutputMatchesPython checks the port against the expected output
// recorded from CPython, and against CPython itself when python3 is there.
func TestOutputMatchesPython(t *testing.T) {
	var got bytes.Buffer
	if err := run(&got); err != nil {
		t.Fatal(err)
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
	if out, ok := testbound.Python(t, "testdata/coroaverager.py"); ok && !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

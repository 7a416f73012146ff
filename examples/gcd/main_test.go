package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

func TestMain(m *testing.M) {
	futures.WorkerMain() // the process pool's workers are this test binary
	os.Exit(m.Run())
}

// TestOutputMatchesPython checks the port against the output recorded from
// CPython, and against CPython itself when python3 is there.
func TestOutputMatchesPython(t *testing.T) {
	var got bytes.Buffer
	if err := run(&got); err != nil {
		t.Fatal(err)
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
	if out, ok := testbound.Python(t, "testdata/gcd.py"); ok && !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

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

func TestOutput(t *testing.T) {
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got) }); err != nil {
		t.Fatal(err)
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
}

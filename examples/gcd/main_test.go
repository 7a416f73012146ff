package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

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
	want, err := os.ReadFile("testdata/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("output differs from testdata/want.txt\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found; compared with the recorded output only")
		return
	}
	out, err := exec.Command(py, "testdata/gcd.py").Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	if !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

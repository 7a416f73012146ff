package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

type params struct{ end, taxis, seed int }

var defaults = params{180, 3, 7} // main's flag defaults

func TestOutputMatchesPython(t *testing.T) {
	for _, c := range []params{defaults, {60, 3, 7}} {
		t.Run(fmt.Sprint(c.end), func(t *testing.T) {
			var got bytes.Buffer
			if err := run(&got, c.end, c.taxis, int64(c.seed)); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("testdata/want_%d_%d_%d.txt", c.end, c.taxis, c.seed)
			if c == defaults {
				name = "testdata/want.txt" // what `asyncgo demo` checks too
			}
			testbound.MatchesFile(t, got.Bytes(), name)
			out, ok := testbound.Python(t, "testdata/taxi_sim.py", fmt.Sprint(c.end), fmt.Sprint(c.taxis), fmt.Sprint(c.seed))
			if ok && !bytes.Equal(got.Bytes(), out) {
				t.Fatalf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
			}
		})
	}
}

func TestUnknownActionIsAnError(t *testing.T) {
	if _, err := computeDuration(&lcg{1}, "fly"); err == nil {
		t.Fatal("computeDuration accepted an unknown action")
	}
}

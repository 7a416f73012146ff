package rewrite_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden")

// TestGolden compares the generated files of the corpus with
// testdata/rewrite/golden/*.golden (go test ./rewrite -run TestGolden
// -update writes them), and checks that they are gofmt-clean.
func TestGolden(t *testing.T) {
	_, gen := corpusOutputs(t)
	gdir := filepath.Join("..", "testdata", "rewrite", "golden")
	if *update {
		if err := os.MkdirAll(gdir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, out := range gen {
		if f, err := format.Source(out); err != nil || !bytes.Equal(f, out) {
			t.Errorf("%s: generated file is not gofmt-clean (%v)", name, err)
		}
		golden := filepath.Join(gdir, name[:len(name)-len(".go")]+"_asyncgo.go.golden")
		if *update {
			if err := os.WriteFile(golden, out, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./rewrite -run TestGolden -update)", err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s: generated file differs from %s (run with -update after checking the change):\n%s", name, golden, firstDiff(want, out))
		}
	}
	if ents, err := os.ReadDir(gdir); err == nil && !*update {
		for _, e := range ents {
			src := e.Name()[:len(e.Name())-len("_asyncgo.go.golden")] + ".go"
			if _, ok := gen[src]; !ok {
				t.Errorf("stale golden file %s", e.Name())
			}
		}
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d", i+1) + ":\n-" + string(x) + "\n+" + string(y)
		}
	}
	return ""
}

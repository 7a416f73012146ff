package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/flagserver"
	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutput(t *testing.T) {
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got, 0) }); err != nil {
		t.Fatal(err)
	}
	testbound.MatchesFile(t, got.Bytes(), "testdata/want.txt")
}

func TestSavesEveryFlagConcurrently(t *testing.T) {
	const delay = 100 * time.Millisecond
	srv, base := flagserver.Start(delay)
	defer srv.Close()
	d := newDownloader(base, t.TempDir())
	var out bytes.Buffer
	t0 := time.Now()
	if err := testbound.Within(t, func() error { return download(&out, d, slices.Sorted(slices.Values(flagserver.POP20))) }); err != nil {
		t.Fatal(err)
	}
	// One after another, 20 flags would take 2s.
	if took := time.Since(t0); took > 10*delay {
		t.Errorf("took %v: not concurrent", took)
	}
	for _, cc := range flagserver.POP20 {
		cc = strings.ToLower(cc)
		img, err := os.ReadFile(filepath.Join(d.dir, cc+".gif"))
		if cc == "p1k" {
			if err == nil {
				t.Errorf("saved a flag for the unknown country P1K")
			}
			continue
		}
		if err != nil || !bytes.Equal(img, flagserver.Image(cc)) {
			t.Errorf("%s.gif: %v (%d bytes)", cc, err, len(img))
		}
	}
}

// A server that is gone is an error, not a count of missing flags.
func TestServerDown(t *testing.T) {
	srv, base := flagserver.Start(0)
	srv.Close()
	var out bytes.Buffer
	err := testbound.Within(t, func() error { return download(&out, newDownloader(base, t.TempDir()), []string{"BR", "CN"}) })
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("download from a closed server: %v; want a connection error", err)
	}
}

func TestLikeCPython(t *testing.T) {
	srv, base := flagserver.Start(0)
	defer srv.Close()
	out, ok := testbound.Python(t, "testdata/flags_asyncio.py", base, t.TempDir())
	if !ok {
		return
	}
	var got bytes.Buffer
	if err := testbound.Within(t, func() error {
		return download(&got, newDownloader(base, t.TempDir()), slices.Sorted(slices.Values(flagserver.POP20)))
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), out) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

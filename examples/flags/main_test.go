package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/internal/flagserver"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutput(t *testing.T) {
	var got bytes.Buffer
	if err := run(&got, 0); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("output differs from testdata/want.txt\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
}

func TestSavesEveryFlag(t *testing.T) {
	srv, base := flagserver.Start(0)
	defer srv.Close()
	d := &downloader{baseURL: base, dir: t.TempDir(), client: srv.Client()}
	var out bytes.Buffer
	if err := download(&out, d, slices.Sorted(slices.Values(flagserver.POP20))); err != nil {
		t.Fatal(err)
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
	client := srv.Client()
	srv.Close()
	d := &downloader{baseURL: base, dir: t.TempDir(), client: client}
	var out bytes.Buffer
	err := download(&out, d, []string{"BR", "CN"})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("download from a closed server: %v; want a connection error", err)
	}
}

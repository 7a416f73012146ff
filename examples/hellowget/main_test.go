package main

import (
	"bytes"
	"maps"
	"net"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// byHost groups the lines of the output by the host they are about: the
// three fetches run concurrently, so their lines interleave as the
// network decides, but each one's lines come in order.
func byHost(out []byte) map[string][]string {
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		host, _, _ := strings.Cut(strings.TrimPrefix(line, "wget "), " ")
		host = strings.TrimSuffix(host, "...")
		g[host] = append(g[host], line)
	}
	return g
}

func equal(a, b map[string][]string) bool {
	return maps.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

func TestOutput(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got, srv.Listener.Addr().String(), Hosts) }); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/want.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !equal(byHost(got.Bytes()), byHost(want)) {
		t.Errorf("output differs from testdata/want.txt (host by host)\ngot:\n%s\nwant:\n%s", got.Bytes(), want)
	}
	// The three wget lines come first: each task runs to its first
	// suspension, the connection, before any answer can arrive.
	lines := strings.Split(got.String(), "\n")
	for i, h := range Hosts {
		if lines[i] != "wget "+h+"..." {
			t.Errorf("line %d: %q", i, lines[i])
		}
	}
}

func TestLikeCPython(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	out, ok := testbound.Python(t, "testdata/wget.py", host, port)
	if !ok {
		return
	}
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got, srv.Listener.Addr().String(), Hosts) }); err != nil {
		t.Fatal(err)
	}
	if !equal(byHost(got.Bytes()), byHost(out)) {
		t.Errorf("output differs from CPython's (host by host)\ngot:\n%s\npython3:\n%s", got.Bytes(), out)
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	var got bytes.Buffer
	if err := testbound.Within(t, func() error { return run(&got, addr, Hosts[:1]) }); err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("fetch from a closed port: %v", err)
	}
}

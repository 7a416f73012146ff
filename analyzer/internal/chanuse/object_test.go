package chanuse_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const objectSrc = `package p

import "sync"

type svc struct {
	mu sync.Mutex
	n  int
}

func (s *svc) inc()       { s.mu.Lock(); s.n++; s.mu.Unlock() }
func (s *svc) get() int   { return s.n }
func count(wg *sync.WaitGroup) { wg.Done() }

func captured() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done() }()
	go count(&wg)
	wg.Wait()
}

func field() int {
	s := &svc{}
	go s.inc()
	s.inc()
	return s.get()
}

type doner interface{ Done() }

func iface() {
	var wg sync.WaitGroup
	var d doner = &wg
	d.Done()
}

var global *sync.WaitGroup

func stored() {
	var wg sync.WaitGroup
	global = &wg
}
`

// FollowObject finds the functions a local WaitGroup or lock reaches: the
// goroutines and helpers it is passed to, the closures capturing it, and
// the methods of the struct holding it (the holder's other uses too:
// get reaches the struct, not the lock, yet is a node).
func TestFollowObject(t *testing.T) {
	pkg := build(t, objectSrc)
	allocIn := func(name string) *ssa.Alloc {
		for _, b := range pkg.Func(name).Blocks {
			for _, in := range b.Instrs {
				if a, ok := in.(*ssa.Alloc); ok {
					return a
				}
			}
		}
		t.Fatalf("no alloc in %s", name)
		return nil
	}
	nodes := func(ch *chanuse.Channel) string {
		var s []string
		for _, n := range ch.Nodes[1:] {
			how := "call"
			if n.G == n {
				how = "go"
			}
			s = append(s, how+" "+n.Fn.Name())
		}
		sort.Strings(s)
		return strings.Join(s, ", ")
	}
	for _, c := range []struct {
		fn    string
		field int
		want  string // nodes, or "escapes"
	}{
		{"captured", -1, "go captured$1, go count"},
		{"field", 0, "call get, call inc, go inc"},
		{"iface", -1, "escapes"},
		{"stored", -1, "escapes"},
	} {
		ch := chanuse.FollowObject(allocIn(c.fn), c.field)
		got := nodes(ch)
		if ch.Escapes {
			got = "escapes"
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.fn, got, c.want)
		}
	}
}

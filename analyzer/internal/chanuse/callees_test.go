package chanuse_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const calleesSrc = `package p

import (
	"io"
	"strings"
	"sync"
)

// Two implementations of a package interface.
type sink interface{ put(c chan int) }

type sender struct{}

func (sender) put(c chan int) { c <- 1 }

type closer struct{}

func (*closer) put(c chan int) { close(c) }

func pick(n int) sink {
	if n > 0 {
		return sender{}
	}
	return &closer{}
}

// Five implementations: too many.
type many interface{ m(c chan int) }
type m1 struct{}
type m2 struct{}
type m3 struct{}
type m4 struct{}
type m5 struct{}

func (m1) m(c chan int) {}
func (m2) m(c chan int) {}
func (m3) m(c chan int) {}
func (m4) m(c chan int) {}
func (m5) m(c chan int) {}

func many5() []many { return []many{m1{}, m2{}, m3{}, m4{}, m5{}} }

// Function fields.
type server struct {
	handle func(c chan int)       // set to a function and a literal
	leaky  func(c chan int)       // also set to a parameter's value
	addr   func(c chan int)       // its address handed out
	Public func(c chan int)       // exported: other packages set it
	once   func(c chan int)       // set to one function
	foreign func(io.Reader) error // set to a literal, and to nil
}

func drain(c chan int) { <-c }

func newServer(h func(chan int), fast bool) *server {
	s := &server{handle: drain, leaky: h, once: drain}
	if fast {
		s.handle = func(c chan int) { c <- 2 }
		s.leaky = drain
	}
	s.foreign = func(io.Reader) error { return nil }
	s.foreign = nil
	setAddr(&s.addr)
	s.Public = drain
	return s
}

func setAddr(p *func(chan int)) { *p = drain }

func calls(s sink, x many, w io.Writer, v *server, r *strings.Reader) {
	s.put(nil)
	x.m(nil)
	w.Write(nil)
	v.handle(nil)
	v.leaky(nil)
	v.addr(nil)
	v.Public(nil)
	v.once(nil)
	v.foreign(r)
}

// followed: the channel handed to a call of two implementations, in a
// local and through a helper.
func viaIface(n int) {
	ch := make(chan int)
	s := pick(n)
	go s.put(ch)
	<-ch
}

func viaIfaceCall(n int) int {
	ch := make(chan int, 1)
	pick(n).put(ch)
	return <-ch
}

func viaField(v *server) {
	ch := make(chan int)
	go func() { v.handle(ch) }()
	ch <- 1
}

func viaLeakyField(v *server) {
	ch := make(chan int)
	go func() { v.leaky(ch) }()
	ch <- 1
}

func viaMany(x many) {
	ch := make(chan int, 1)
	x.m(ch)
}

var mu sync.Mutex
`

// name prints a function list for comparison.
func names(fns []*ssa.Function) string {
	var s []string
	for _, f := range fns {
		s = append(s, f.String())
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// Callees resolves a call of a package interface to each converted type
// that implements it (up to four), and a call of an unexported function
// field to what the package stores in it; Callee keeps one callee only.
func TestCallees(t *testing.T) {
	pkg := build(t, calleesSrc)
	var got, one []string
	for _, b := range pkg.Func("calls").Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok {
				got = append(got, names(chanuse.Callees(pkg, &c.Call)))
				name := ""
				if fn := chanuse.Callee(pkg, &c.Call); fn != nil {
					name = fn.String()
				}
				one = append(one, name)
			}
		}
	}
	want := []string{
		"(*p.closer).put (p.sender).put", // two implementations
		"",                               // five: too many
		"",                               // io.Writer: another package's
		"p.drain p.newServer$1",          // a function and a literal
		"",                               // also a parameter's value
		"",                               // its address handed out
		"",                               // exported
		"p.drain",                        // one function
		"p.newServer$2",                  // a literal, and nil
	}
	wantOne := []string{"", "", "", "", "", "", "", "p.drain", "p.newServer$2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Callees:\n got %q\nwant %q", got, want)
	}
	if fmt.Sprint(one) != fmt.Sprint(wantOne) {
		t.Errorf("Callee:\n got %q\nwant %q", one, wantOne)
	}
}

// A channel handed to a call of several implementations is followed into
// each, as a node marked Alt; a go statement of such a call, five
// implementations, or a field set to a parameter's value escape.
func TestFollowCallees(t *testing.T) {
	pkg := build(t, calleesSrc)
	ch := chanuse.Follow(makeIn(pkg.Func("viaIfaceCall")))
	if ch.Escapes {
		t.Fatal("viaIfaceCall: escapes")
	}
	var kinds []string
	for _, n := range ch.Nodes[1:] {
		if !n.Alt || n.Call == nil || n.G != ch.Nodes[0] {
			t.Errorf("%s: alt %v, call %v", n.Fn, n.Alt, n.Call)
		}
		for _, op := range n.Ops {
			kinds = append(kinds, fmt.Sprintf("%s:%d", n.Fn, op.Kind))
		}
	}
	slices.Sort(kinds)
	if want := "[(*p.closer).put:4 (p.sender).put:0]"; fmt.Sprint(kinds) != want {
		t.Errorf("viaIfaceCall ops %v, want %s", kinds, want)
	}

	ch = chanuse.Follow(makeIn(pkg.Func("viaField")))
	if ch.Escapes {
		t.Fatal("viaField: escapes")
	}
	var fns []string
	for _, n := range ch.Nodes {
		if len(n.Ops) > 0 {
			fns = append(fns, n.Fn.String())
		}
	}
	slices.Sort(fns)
	if want := "[p.drain p.newServer$1 p.viaField]"; fmt.Sprint(fns) != want {
		t.Errorf("viaField: nodes with ops %v, want %s", fns, want)
	}

	for _, name := range []string{"viaIface", "viaMany", "viaLeakyField"} {
		if ch := chanuse.Follow(makeIn(pkg.Func(name))); !ch.Escapes {
			t.Errorf("%s: does not escape", name)
		}
	}
}

package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A channel put in a slice its maker builds is followed into the range
// loops over that slice; its operations there run once per pass (Each,
// InLoop). The channel twice in the slice, the slice kept, or a loop
// inside the range escape or count as repeated.
func TestSliceElements(t *testing.T) {
	pkg := build(t, `package p

func all(chs ...chan int) {
	for _, ch := range chs {
		ch <- 1
	}
}

func allN(n int, chs ...chan int) {
	for _, ch := range chs {
		for i := 0; i < n; i++ {
			ch <- 1
		}
	}
}

func variadic() {
	a, b := make(chan int), make(chan int)
	go func() { <-a }()
	go func() { <-b }()
	all(a, b)
}

func literal() {
	a := make(chan int)
	go func() { <-a }()
	for _, ch := range []chan int{a} {
		close(ch)
	}
}

func twice() {
	a := make(chan int)
	go func() { <-a; <-a }()
	all(a, a)
}

var kept [][]chan int

func keep() {
	a := make(chan int)
	s := []chan int{a}
	kept = append(kept, s)
}

func repeated() {
	a := make(chan int)
	go func() { <-a }()
	allN(2, a)
}
`)
	follow := func(name string) *chanuse.Channel {
		for _, b := range pkg.Func(name).Blocks {
			for _, in := range b.Instrs {
				if mc, ok := in.(*ssa.MakeChan); ok {
					return chanuse.Follow(mc)
				}
			}
		}
		t.Fatalf("%s: no make", name)
		return nil
	}
	for _, name := range []string{"variadic", "literal"} {
		ch := follow(name)
		if ch.Escapes {
			t.Errorf("%s: escapes (%s), want followed", name, ch.Why)
			continue
		}
		n := 0
		for _, nd := range ch.Nodes {
			for _, op := range nd.Ops {
				if op.Kind == chanuse.Send || op.Kind == chanuse.Close {
					n++
					if ch.Each[op.Instr] == nil || ch.InLoop(op) {
						t.Errorf("%s: %v in the range loop: Each %v, InLoop %v; want once per pass", name, op.Kind, ch.Each[op.Instr], ch.InLoop(op))
					}
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d sends or closes, want 1", name, n)
		}
	}
	for _, name := range []string{"twice", "keep"} {
		if ch := follow(name); !ch.Escapes {
			t.Errorf("%s: followed, want an escape", name)
		}
	}
	ch := follow("repeated")
	if ch.Escapes {
		t.Errorf("repeated: escapes (%s), want followed", ch.Why)
	}
	for _, nd := range ch.Nodes {
		for _, op := range nd.Ops {
			if op.Kind == chanuse.Send && !ch.InLoop(op) {
				t.Errorf("repeated: the send in a loop inside the range should count as in a loop")
			}
		}
	}
}

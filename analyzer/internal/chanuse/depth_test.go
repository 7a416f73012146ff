package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

const depthSrc = `package p

func h1(c chan int) { h2(c) }
func h2(c chan int) { h3(c) }
func h3(c chan int) { go func() { c <- 1 }() }

func g1(c chan int) { g2(c) }
func g2(c chan int) { g3(c) }
func g3(c chan int) { go send(c) }
func send(c chan int) { c <- 1 }

type srv struct{ out chan int }

func (s *srv) start()  { s.loop() }
func (s *srv) loop()   { go s.serve() }
func (s *srv) serve()  { s.emit() }
func (s *srv) emit()   { s.out <- 1 }

func three() int {
	c := make(chan int)
	h1(c)
	return <-c
}

func threeNamed() int {
	c := make(chan int)
	g1(c)
	return <-c
}

func fieldChain() int {
	s := &srv{out: make(chan int)}
	s.start()
	return <-s.out
}
`

// Three levels of helpers and a goroutine (a literal, or a function it
// starts) are within reach.
func TestDepth(t *testing.T) {
	pkg := build(t, depthSrc)
	for _, name := range []string{"three", "threeNamed", "fieldChain"} {
		ch := chanuse.Follow(makeIn(pkg.Func(name)))
		sends := 0
		for _, n := range ch.Nodes {
			for _, op := range n.Ops {
				if op.Kind == chanuse.Send && n.G != ch.Nodes[0] {
					sends++
				}
			}
		}
		if ch.Escapes || sends != 1 {
			t.Errorf("%s: escapes %v, %d sends in a goroutine", name, ch.Escapes, sends)
		}
	}
}

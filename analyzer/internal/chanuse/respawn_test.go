package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

const respawnSrc = `package p

type tree struct{ kids []*tree }

func walk(t *tree, out chan int) {
	out <- len(t.kids)
	for _, k := range t.kids {
		go walk(k, out)
	}
}

func walker(t *tree) int {
	out := make(chan int)
	go walk(t, out)
	return <-out
}

func relay(in chan int, n int) {
	v := <-in
	if n > 0 {
		go relay(in, n-1)
	}
	in <- v
}

func relays() int {
	c := make(chan int)
	go relay(c, 3)
	c <- 0
	return <-c
}
`

// A function that starts itself again with the channel (a tree walk) is
// folded into its first goroutine rather than followed until the depth
// limit makes the channel escape; one whose folded goroutines would also
// receive escapes, since they are receivers no node stands for.
func TestRespawn(t *testing.T) {
	pkg := build(t, respawnSrc)
	ch := chanuse.Follow(makeIn(pkg.Func("walker")))
	if ch.Escapes {
		t.Fatal("walker: a recursive spawner escapes")
	}
	walks := 0
	for _, n := range ch.Nodes {
		if n.Fn.Name() == "walk" {
			walks++
			if n.Go == nil || len(n.Ops) != 1 || n.Ops[0].Kind != chanuse.Send {
				t.Errorf("walk node: go %v, ops %v", n.Go, n.Ops)
			}
		}
	}
	if walks != 1 {
		t.Errorf("walker: %d nodes for walk, want 1 (its own starts folded)", walks)
	}
	if ch := chanuse.Follow(makeIn(pkg.Func("relays"))); !ch.Escapes {
		t.Error("relays: a respawner that receives does not escape")
	}
}
